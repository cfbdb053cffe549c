using System.Net;
using CniV6.Agent.Cluster;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Routing.HostGateway;

namespace CniV6.Agent.Tests.Unit;

public class DesiredRoutesTests
{
    private static readonly LocalPrefix[] Uplink =
    [
        LocalPrefix.Of(2, IPAddress.Parse("fd00:a11::11"), 64, 1500),
        LocalPrefix.Of(2, IPAddress.Parse("10.99.0.11"), 24, 1500),
    ];

    [Fact]
    public void Routes_each_peer_pod_cidr_via_the_peer_address_of_the_same_family()
    {
        var routes = DesiredRoutes.Compute(TestStates.Cluster(1, 1, 2, 3), Uplink);

        Assert.Equal(4, routes.Count);
        Assert.Contains(new NodeRoute(IPNetwork.Parse("fd00:10:244:2::/64"), IPAddress.Parse("fd00:a11::12"), 2), routes);
        Assert.Contains(new NodeRoute(IPNetwork.Parse("10.244.2.0/24"), IPAddress.Parse("10.99.0.12"), 2), routes);
        Assert.Contains(new NodeRoute(IPNetwork.Parse("fd00:10:244:3::/64"), IPAddress.Parse("fd00:a11::13"), 2), routes);
        Assert.Contains(new NodeRoute(IPNetwork.Parse("10.244.3.0/24"), IPAddress.Parse("10.99.0.13"), 2), routes);
    }

    [Fact]
    public void Never_routes_the_nodes_own_pools()
    {
        var routes = DesiredRoutes.Compute(TestStates.Cluster(1, 1), Uplink);

        Assert.Empty(routes);
    }

    [Fact]
    public void Skips_a_family_the_peer_has_no_address_of()
    {
        var ipv6Only = TestStates.Node(2) with { InternalAddresses = [IPAddress.Parse("fd00:a11::12")] };
        var state = ClusterState.Create("n1", TestStates.Node(1).PodCidrs, [TestStates.Node(1), ipv6Only]);
        var unroutable = new List<string>();

        var routes = DesiredRoutes.Compute(state, Uplink, unroutable);

        Assert.Equal(IPNetwork.Parse("fd00:10:244:2::/64"), Assert.Single(routes).Destination);
        Assert.Contains(unroutable, r => r.Contains("10.244.2.0/24", StringComparison.Ordinal));
    }

    [Fact]
    public void Skips_peers_that_are_not_on_a_local_segment()
    {
        var remote = TestStates.Node(2) with { InternalAddresses = [IPAddress.Parse("fd00:beef::12"), IPAddress.Parse("192.0.2.12")] };
        var state = ClusterState.Create("n1", TestStates.Node(1).PodCidrs, [TestStates.Node(1), remote]);

        Assert.Empty(DesiredRoutes.Compute(state, Uplink));
    }

    [Fact]
    public void Picks_the_interface_holding_the_peers_segment()
    {
        LocalPrefix[] twoLinks =
        [
            LocalPrefix.Of(5, IPAddress.Parse("fd00:ffff::1"), 64, 9000),
            LocalPrefix.Of(7, IPAddress.Parse("fd00:a11::11"), 64, 1500),
        ];
        var state = ClusterState.Create("n1", TestStates.Node(1).PodCidrs,
            [TestStates.Node(1), TestStates.Node(2) with { InternalAddresses = [IPAddress.Parse("fd00:a11::12")], PodCidrs = [IPNetwork.Parse("fd00:10:244:2::/64")] }]);

        Assert.Equal(7, Assert.Single(DesiredRoutes.Compute(state, twoLinks)).OutputIndex);
    }

    [Fact]
    public void A_cidr_claimed_by_two_nodes_gets_one_route()
    {
        var twin = TestStates.Node(3) with { PodCidrs = TestStates.Node(2).PodCidrs };

        var routes = DesiredRoutes.Compute(ClusterState.Create("n1", TestStates.Node(1).PodCidrs, [TestStates.Node(1), TestStates.Node(2), twin]), Uplink);

        Assert.Equal(2, routes.Count);
        Assert.All(routes, r => Assert.True(r.Gateway.Equals(IPAddress.Parse("fd00:a11::12")) || r.Gateway.Equals(IPAddress.Parse("10.99.0.12"))));
    }
}
