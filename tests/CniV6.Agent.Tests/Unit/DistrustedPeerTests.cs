using System.Net;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Routing.HostGateway;
using CniV6.Agent.Health;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.Unit;

/// <summary>The composed agent against hostile peers and a kernel that refuses: the others still get their routes and the node is Ready.</summary>
public sealed class DistrustedPeerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6d-peers-").FullName;
    private readonly FakeRouteTable _routes = new();
    private readonly FakeMasquerade _masquerade = new();
    private readonly AgentHealth _health = new(TimeProvider.System);
    private readonly AgentMetrics _metrics = new();

    private DataplaneReconciler Reconciler() =>
        DataplaneHarness.Reconciler(new AgentOptions { NodeName = "n1", RoutingMode = "hostgw", CniConfDir = Path.Combine(_dir, "net.d"), CniBinDir = Path.Combine(_dir, "bin") },
                                    _dir, new ClusterStateStore(), _health, _metrics, _routes, _masquerade, new FakeForwarding());

    private static ClusterState WithPeer(ClusterNode peer) =>
        TestStates.Cluster(1, 1, 2) is var state ? state with { Nodes = [.. state.Nodes, peer] } : throw new InvalidOperationException();

    [Fact]
    public void A_peer_claiming_the_default_route_gets_no_route_no_exclusion_and_a_warning_metric()
    {
        var state = WithPeer(new ClusterNode("n9", [IPAddress.Parse("fd00:a11::19")], [IPNetwork.Parse("::/0")]));

        Reconciler().Sync(state);

        Assert.True(_health.IsReady);
        Assert.DoesNotContain(_routes.Installed, r => r.Destination.PrefixLength == 0);
        Assert.DoesNotContain(IPNetwork.Parse("::/0"), _masquerade.Excludes!);
        Assert.Equal(2, _routes.Installed.Count);
        Assert.Contains("cniv6_agent_peer_claims_refused_total 1\n", _metrics.Render(), StringComparison.Ordinal);
        Assert.Contains("cniv6_agent_peer_claims_refused 1\n", _metrics.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_peer_using_this_nodes_address_does_not_stop_routes_to_the_others()
    {
        var state = WithPeer(new ClusterNode("n0", [IPAddress.Parse("fd00:a11::11")], [IPNetwork.Parse("fd00:10:244:9::/64")]));

        Reconciler().Sync(state);

        Assert.True(_health.IsReady);
        Assert.Equal(["fd00:10:244:2::/64", "10.244.2.0/24"], _routes.Installed.Select(r => r.Destination.ToString()));
        Assert.Equal(1, _masquerade.Calls);
    }

    [Fact]
    public void A_destination_someone_else_routes_is_never_overwritten_nor_deleted_later()
    {
        var foreign = new NodeRoute(IPNetwork.Parse("fd00:10:244:3::/64"), IPAddress.Parse("fd00:a11::fe"), 2);
        _routes.Foreign.Add(foreign);
        var reconciler = Reconciler();

        reconciler.Sync(TestStates.Cluster(1, 1, 2, 3));
        reconciler.Sync(TestStates.Cluster(1, 1, 2));

        Assert.Equal([foreign], _routes.Foreign);
        Assert.DoesNotContain(_routes.Installed, r => r.Destination == foreign.Destination);
        Assert.Equal(0, _routes.Replaced);
        Assert.Contains("cniv6_agent_routes_not_owned_total 1\n", _metrics.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_route_the_kernel_refuses_is_counted_and_skipped_and_the_sync_succeeds()
    {
        _routes.Refuse.Add(IPNetwork.Parse("fd00:10:244:2::/64"));
        var mode = new HostGatewayMode(_routes, _metrics, NullLogger<HostGatewayMode>.Instance);

        mode.Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2, 3)));

        Assert.Equal(
            new[] { "10.244.2.0/24", "10.244.3.0/24", "fd00:10:244:3::/64" },
            _routes.Installed.Select(r => r.Destination.ToString()).Order(StringComparer.Ordinal));
        Assert.Contains("cniv6_agent_route_failures_total 1\n", _metrics.Render(), StringComparison.Ordinal);
        Assert.Contains("cniv6_agent_routes 3\n", _metrics.Render(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
