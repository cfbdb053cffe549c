using System.Net;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
using CniV6.Agent.Kubernetes;
using CniV6.Agent.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.Unit;

/// <summary>The informer over real HTTP (KubernetesClient.Aot via a kubeconfig) against the fake apiserver on loopback.</summary>
public sealed class NodeInformerTests : IAsyncLifetime
{
    private static readonly FakeNode N1 = new("n1", ["fd00:a11::11", "10.99.0.11"], ["fd00:10:244:1::/64", "10.244.1.0/24"]);
    private static readonly FakeNode N2 = new("n2", ["fd00:a11::12", "10.99.0.12"], ["fd00:10:244:2::/64", "10.244.2.0/24"]);
    private static readonly FakeNode N3 = new("n3", ["fd00:a11::13", "10.99.0.13"], ["fd00:10:244:3::/64", "10.244.3.0/24"]);

    private readonly string _dir = Directory.CreateTempSubdirectory("cv6a-informer-").FullName;
    private readonly FakeKubeApiServer _server = FakeKubeApiServer.Start(IPAddress.Loopback);
    private readonly ClusterStateStore _store = new();
    private readonly AgentMetrics _metrics = new();
    private readonly CancellationTokenSource _stop = new();
    private KubernetesNodeApi? _api;
    private KubernetesClusterSource? _source;

    public async Task InitializeAsync()
    {
        _server.Upsert(N1);
        _server.Upsert(N2);
        _api = KubernetesNodeApi.Create(_server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig")));
        _source = new KubernetesClusterSource(new AgentOptions { NodeName = "n1" }, _api, _store, _metrics, new NoClusterEvents(), TimeProvider.System,
                                              NullLogger<KubernetesClusterSource>.Instance)
        {
            Backoff = new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)),
        };
        await _source.StartAsync(_stop.Token);
    }

    [Fact]
    public async Task Lists_then_follows_adds_and_deletes()
    {
        await WaitForAsync(s => s.Nodes.Count == 2);
        Assert.Equal([IPNetwork.Parse("fd00:10:244:1::/64"), IPNetwork.Parse("10.244.1.0/24")], _store.Current!.LocalPools);

        _server.Upsert(N3);
        await WaitForAsync(s => s.Nodes.Any(n => n.Name == "n3"));

        _server.Upsert(N3 with { InternalIPs = ["fd00:a11::33", "10.99.0.33"] });
        await WaitForAsync(s => s.Nodes.Single(n => n.Name == "n3").InternalAddresses[0].Equals(IPAddress.Parse("fd00:a11::33")));

        _server.Delete("n2");
        await WaitForAsync(s => s.Nodes.All(n => n.Name != "n2"));
        Assert.Equal(1, _server.ListRequests);
    }

    [Fact]
    public async Task Lists_again_after_410_gone_and_keeps_up()
    {
        await WaitForAsync(s => s.Nodes.Count == 2);

        _server.ExpireHistory();
        _server.Upsert(N3);

        await WaitForAsync(s => s.Nodes.Count == 3);
        Assert.True(_server.ListRequests >= 2, $"expected a re-list, saw {_server.ListRequests} lists");
        Assert.Contains("cniv6_agent_relists_total 2", _metrics.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconnects_from_its_resource_version_when_the_watch_is_dropped()
    {
        await WaitForAsync(s => s.Nodes.Count == 2);
        var watches = _server.WatchRequests;

        _server.DropWatches();
        _server.Upsert(N3);

        await WaitForAsync(s => s.Nodes.Count == 3);
        Assert.True(_server.WatchRequests > watches);
        Assert.Equal(1, _server.ListRequests);
    }

    [Fact]
    public async Task Publishes_nothing_until_its_own_node_has_pod_cidrs()
    {
        await WaitForAsync(s => s.Nodes.Count == 2);
        using var otherStore = new CancellationTokenSource();
        var store = new ClusterStateStore();
        var source = new KubernetesClusterSource(new AgentOptions { NodeName = "n9" }, _api!, store, new AgentMetrics(), new NoClusterEvents(), TimeProvider.System,
                                                 NullLogger<KubernetesClusterSource>.Instance);
        await source.StartAsync(otherStore.Token);
        await Task.Delay(300);
        Assert.Null(store.Current);

        _server.Upsert(new FakeNode("n9", ["fd00:a11::19"], ["fd00:10:244:9::/64"]));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (store.Current is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal([IPNetwork.Parse("fd00:10:244:9::/64")], store.Current?.LocalPools);
        await otherStore.CancelAsync();
        await source.StopAsync(CancellationToken.None);
    }

    private async Task WaitForAsync(Func<ClusterState, bool> condition)
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

        Assert.Fail($"cluster state never reached the expected shape; last: {string.Join(", ", _store.Current?.Nodes.Select(n => n.Name) ?? [])}");
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
}
