using System.Net;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
using CniV6.Agent.Kubernetes;
using CniV6.Agent.Tests.Infrastructure;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.Unit;

/// <summary>
/// The Node informer against an apiserver that sends what it should not: malformed watch events, lines and lists
/// over their bounds, and this node's own pod CIDRs that the plugin would refuse as pools. The informer lists afresh
/// (never replays the same watch), keeps its bounds and publishes nothing the plugin would refuse.
/// </summary>
public sealed class UntrustedApiServerTests : IAsyncLifetime
{
    private static readonly FakeNode N1 = new("n1", ["fd00:a11::11", "10.99.0.11"], ["fd00:10:244:1::/64", "10.244.1.0/24"]);
    private static readonly FakeNode N2 = new("n2", ["fd00:a11::12", "10.99.0.12"], ["fd00:10:244:2::/64", "10.244.2.0/24"]);
    private static readonly FakeNode N3 = new("n3", ["fd00:a11::13", "10.99.0.13"], ["fd00:10:244:3::/64", "10.244.3.0/24"]);

    private readonly string _dir = Directory.CreateTempSubdirectory("cv6d-untrusted-api-").FullName;
    private readonly FakeKubeApiServer _server = FakeKubeApiServer.Start(IPAddress.Loopback);
    private readonly ClusterStateStore _store = new();
    private readonly AgentMetrics _metrics = new();
    private readonly RecordedEvents _events = new();
    private readonly CancellationTokenSource _stop = new();
    private KubernetesNodeApi? _api;
    private KubernetesClusterSource? _source;

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task StartAsync(int maxWatchLineBytes = 4 * 1024 * 1024, int maxListPageBytes = 64 * 1024 * 1024)
    {
        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(_server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig")));
        _api = new KubernetesNodeApi(new k8s.Kubernetes(configuration)) { MaxWatchLineBytes = maxWatchLineBytes, MaxListPageBytes = maxListPageBytes };
        _source = new KubernetesClusterSource(new AgentOptions { NodeName = "n1" }, _api, _store, _metrics, _events, TimeProvider.System,
                                              NullLogger<KubernetesClusterSource>.Instance)
        {
            Backoff = new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)),
        };
        await _source.StartAsync(_stop.Token);
    }

    public static TheoryData<string, string> MalformedEvents => new()
    {
        { "not JSON", """{"type":"MODIFIED","object":{"kind":"Node","metadata":{"name":"n2" """ },
        { "an object of the wrong shape", """{"type":"MODIFIED","object":{"kind":"Node","metadata":{"name":"n2","resourceVersion":"1"},"spec":"oops"}}""" },
        { "a Node without a name", """{"type":"ADDED","object":{"kind":"Node","metadata":{"resourceVersion":"1"}}}""" },
        { "no object", """{"type":"MODIFIED"}""" },
        { "an array", """[1,2,3]""" },
    };

    [Theory]
    [MemberData(nameof(MalformedEvents))]
    public async Task A_malformed_watch_event_leads_to_a_fresh_list_and_the_informer_keeps_up(string what, string line)
    {
        _server.Upsert(N1);
        _server.Upsert(N2);
        await StartAsync();
        await WaitForAsync(s => s.Nodes.Count == 2, what);

        _server.AppendRawEvent(line);
        _server.Upsert(N3);

        // Before the fix the watch restarted from the same resourceVersion and met the same event again, for ever:
        // n3, which comes after it, was never seen.
        await WaitForAsync(s => s.Nodes.Count == 3, what);
        Assert.True(_server.ListRequests >= 2, $"{what}: expected a fresh list, saw {_server.ListRequests} lists");
    }

    [Fact]
    public async Task A_watch_line_over_its_bound_leads_to_a_fresh_list_and_is_never_applied()
    {
        _server.Upsert(N1);
        _server.Upsert(N2);
        await StartAsync(maxWatchLineBytes: 64 * 1024);
        await WaitForAsync(s => s.Nodes.Count == 2, "start");

        var huge = N2 with { InternalIPs = ["fd00:a11::99"], PaddingBytes = 1024 * 1024 };
        _server.AppendRawEvent($"{{\"type\":\"MODIFIED\",\"object\":{NodeJson.ToJson(huge, 5000)}}}");
        _server.Upsert(N3);

        await WaitForAsync(s => s.Nodes.Count == 3, "after the oversized line");
        Assert.True(_server.ListRequests >= 2, $"expected a fresh list, saw {_server.ListRequests} lists");
        Assert.Equal(IPAddress.Parse("fd00:a11::12"), _store.Current!.Nodes.Single(n => n.Name == "n2").InternalAddresses[0]);
    }

    [Fact]
    public async Task A_list_over_its_bound_is_refused_and_listed_again_with_back_off_until_it_fits()
    {
        _server.Upsert(N1);
        _server.Upsert(N2 with { PaddingBytes = 512 * 1024 });
        await StartAsync(maxListPageBytes: 256 * 1024);

        await Task.Delay(1000);
        Assert.Null(_store.Current);
        var lists = _server.ListRequests;
        Assert.InRange(lists, 2, 40);

        _server.Upsert(N2);
        await WaitForAsync(s => s.Nodes.Count == 2, "after the node shrank");
    }

    public static TheoryData<string[]> UnusablePools => new()
    {
        { ["::/0"] },
        { ["fe80::/64"] },
        { ["fd00:10:244:1::1/128"] },
        { ["ff00::/8"] },
        { ["fd00:10:244:1::5/64"] },
        { ["fd00:10:244:1::/64", "fd00:10:245:1::/64"] },
        { ["fd00:10:244:1::/64", "127.0.0.0/24"] },
        { ["no-cidr"] },
    };

    [Theory]
    [MemberData(nameof(UnusablePools))]
    public async Task Own_pod_cidrs_the_plugin_would_refuse_are_never_published_and_are_reported(string[] podCidrs)
    {
        _server.Upsert(N1 with { PodCidrs = podCidrs });
        _server.Upsert(N2);
        await StartAsync();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_events.Warnings.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await Task.Delay(200);
        Assert.Null(_store.Current);
        var (node, reason, message) = Assert.Single(_events.Warnings);
        Assert.Equal(("n1", "CniV6PoolsRefused"), (node, reason));
        Assert.Contains(podCidrs[0], message, StringComparison.Ordinal);
        Assert.Contains("cniv6_agent_local_pools_refused_total 1\n", _metrics.Render(), StringComparison.Ordinal);

        _server.Upsert(N1);
        await WaitForAsync(s => s.LocalPools.Count == 2, "after the pod CIDRs were fixed");
    }

    private async Task WaitForAsync(Func<ClusterState, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_store.Current is { } state && condition(state))
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"{what}: cluster state never reached the expected shape; nodes {string.Join(", ", _store.Current?.Nodes.Select(n => n.Name) ?? [])}, {_server.ListRequests} lists");
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_source is not null)
        {
            await _source.StopAsync(CancellationToken.None);
            _source.Dispose();
        }

        _api?.Dispose();
        _server.Dispose();
        _stop.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class RecordedEvents : IClusterEvents
    {
        private readonly List<(string Node, string Reason, string Message)> _warnings = [];

        public IReadOnlyList<(string Node, string Reason, string Message)> Warnings
        {
            get
            {
                lock (_warnings)
                {
                    return [.. _warnings];
                }
            }
        }

        public void Warning(string nodeName, string reason, string message)
        {
            lock (_warnings)
            {
                _warnings.Add((nodeName, reason, message));
            }
        }
    }
}
