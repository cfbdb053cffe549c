using System.Net;
using System.Text.Json;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
using CniV6.Agent.Kubernetes;
using CniV6.Agent.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.Unit;

/// <summary>A refused peer claim becomes one Warning Event on the peer's Node, through the agent's Kubernetes client.</summary>
public sealed class PeerEventTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6d-events-").FullName;
    private readonly FakeKubeApiServer _server = FakeKubeApiServer.Start(IPAddress.Loopback);
    private KubernetesNodeApi _api = null!;
    private KubernetesEventRecorder _recorder = null!;

    public async Task InitializeAsync()
    {
        _api = KubernetesNodeApi.Create(_server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig")));
        _recorder = new KubernetesEventRecorder(new AgentOptions { NodeName = "n1" }, _api, TimeProvider.System, NullLogger<KubernetesEventRecorder>.Instance);
        await _recorder.StartAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_refused_default_route_is_reported_once_as_a_warning_event_on_the_peer_node()
    {
        var screen = new PeerScreen(new AgentMetrics(), _recorder, NullLogger<PeerScreen>.Instance);
        var hostile = new ClusterNode("n9", [IPAddress.Parse("fd00:a11::19")], [IPNetwork.Parse("::/0")]);
        var state = TestStates.Cluster(1, 1, 2) is var s ? s with { Nodes = [.. s.Nodes, hostile] } : null!;

        screen.Screen(state, new FakeRouteTable().ListLocalPrefixes());
        screen.Screen(state, new FakeRouteTable().ListLocalPrefixes());

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_server.Events.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await Task.Delay(300);
        using var posted = JsonDocument.Parse(Assert.Single(_server.Events));
        var root = posted.RootElement;
        Assert.Equal("Event", root.GetProperty("kind").GetString());
        Assert.Equal("Warning", root.GetProperty("type").GetString());
        Assert.Equal("CniV6PeerRefused", root.GetProperty("reason").GetString());
        Assert.Equal("Node", root.GetProperty("involvedObject").GetProperty("kind").GetString());
        Assert.Equal("n9", root.GetProperty("involvedObject").GetProperty("name").GetString());
        Assert.Equal("n1", root.GetProperty("reportingInstance").GetString());
        Assert.Contains("pod CIDR ::/0: it is a default route", root.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        await _recorder.StopAsync(CancellationToken.None);
        _recorder.Dispose();
        _api.Dispose();
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
