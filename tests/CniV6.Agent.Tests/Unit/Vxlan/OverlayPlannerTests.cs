using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Cluster;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Routing.Vxlan;
using static CniV6.Agent.Tests.Unit.Vxlan.OverlayTopology;

namespace CniV6.Agent.Tests.Unit.Vxlan;

public class OverlayPlannerTests
{
    private static readonly VxlanOptions Defaults = new();

    [Fact]
    public void Auto_routes_a_same_segment_peer_directly_and_a_peer_behind_a_router_through_the_IPv6_tunnel()
    {
        var plan = OverlayPlanner.Plan(Topology(2, 3), Uplink, Defaults, tunnelAll: false);

        Assert.Equal(
            [
                new NodeRoute(IPNetwork.Parse("fd00:10:244:2::/64"), IPAddress.Parse("fd00:a11::12"), 2),
                new NodeRoute(IPNetwork.Parse("10.244.2.0/24"), IPAddress.Parse("10.99.0.12"), 2),
            ],
            plan.DirectRoutes);
        var device = Assert.Single(plan.Devices);
        Assert.Equal(new TunnelDevice(AddressFamily.InterNetworkV6, "cniv6.vx6", IPAddress.Parse("fd00:a11::11"), TunnelAddressing.MacOf(IPAddress.Parse("fd00:a11::11")), 1430), device);
        var peer = Assert.Single(plan.Peers);
        Assert.Equal("n3", peer.Node);
        Assert.Equal(IPAddress.Parse("fd00:b22::13"), peer.NodeAddress);
        Assert.Equal(TunnelAddressing.MacOf(IPAddress.Parse("fd00:b22::13")), peer.Mac);
        Assert.Equal(
            [
                new TunnelRoute(IPNetwork.Parse("fd00:10:244:3::/64"), IPAddress.Parse("fd00:10:244:3::")),
                new TunnelRoute(IPNetwork.Parse("10.244.3.0/24"), IPAddress.Parse("10.244.3.0")),
            ],
            peer.Routes);
        Assert.Equal(70, plan.PodMtuOverhead);
        Assert.Empty(plan.Unroutable);
    }

    [Fact]
    public void Vxlan_mode_tunnels_every_peer_even_on_the_same_segment()
    {
        var plan = OverlayPlanner.Plan(Topology(2, 3), Uplink, Defaults, tunnelAll: true);

        Assert.Empty(plan.DirectRoutes);
        Assert.Equal(["n2", "n3"], plan.Peers.Select(p => p.Node));
        Assert.Equal(4, plan.Peers.Sum(p => p.Routes.Count));
    }

    [Fact]
    public void Auto_with_every_peer_on_the_segment_needs_no_device_and_no_MTU_overhead()
    {
        var plan = OverlayPlanner.Plan(Topology(2), Uplink, Defaults, tunnelAll: false);

        Assert.Empty(plan.Devices);
        Assert.Empty(plan.Peers);
        Assert.Equal(0, plan.PodMtuOverhead);
        Assert.Equal(2, plan.DirectRoutes.Count);
    }

    [Fact]
    public void The_choice_is_per_family_a_peer_can_be_direct_for_IPv6_and_tunnelled_for_IPv4()
    {
        // n2 shares the IPv6 segment, but its IPv4 address is behind the router.
        var n2 = Node(2) with { InternalAddresses = [IPAddress.Parse("fd00:a11::12"), IPAddress.Parse("10.98.0.12")] };

        var plan = OverlayPlanner.Plan(Topology(n2), Uplink, Defaults, tunnelAll: false);

        Assert.Equal([IPNetwork.Parse("fd00:10:244:2::/64")], plan.DirectRoutes.Select(r => r.Destination));
        var peer = Assert.Single(plan.Peers);
        Assert.Equal([IPNetwork.Parse("10.244.2.0/24")], peer.Routes.Select(r => r.Destination));

        // Both nodes have IPv6 node addresses, so IPv6 carries the tunnel (IPv6 first).
        Assert.Equal(AddressFamily.InterNetworkV6, peer.Underlay);
    }

    [Fact]
    public void A_peer_with_only_an_IPv4_node_address_is_tunnelled_over_IPv4_with_the_50_byte_overhead()
    {
        var n3 = Node(3) with { InternalAddresses = [IPAddress.Parse("10.98.0.13")] };

        var plan = OverlayPlanner.Plan(Topology(n3), Uplink, Defaults, tunnelAll: false);

        var device = Assert.Single(plan.Devices);
        Assert.Equal(("cniv6.vx4", IPAddress.Parse("10.99.0.11"), 1450), (device.Name, device.Local, device.Mtu));
        Assert.Equal(AddressFamily.InterNetwork, Assert.Single(plan.Peers).Underlay);
        Assert.Equal(50, plan.PodMtuOverhead);
    }

    [Fact]
    public void Peers_over_both_underlays_get_both_devices_and_the_pods_the_larger_IPv6_overhead()
    {
        var n4 = Node(4) with { InternalAddresses = [IPAddress.Parse("10.98.0.14")] };

        var plan = OverlayPlanner.Plan(Topology(Node(3), n4), Uplink, Defaults, tunnelAll: false);

        Assert.Equal(["cniv6.vx6", "cniv6.vx4"], plan.Devices.Select(d => d.Name));
        Assert.Equal(70, plan.PodMtuOverhead);
    }

    [Fact]
    public void An_IPv4_preference_puts_dual_stack_peers_on_the_IPv4_underlay()
    {
        var plan = OverlayPlanner.Plan(Topology(3), Uplink, Defaults with { PreferredUnderlay = AddressFamily.InterNetwork }, tunnelAll: false);

        Assert.Equal(AddressFamily.InterNetwork, Assert.Single(plan.Peers).Underlay);
        Assert.Equal(IPAddress.Parse("10.98.0.13"), plan.Peers[0].NodeAddress);
    }

    [Fact]
    public void The_device_MTU_follows_the_link_of_the_local_address()
    {
        LocalPrefix[] jumbo = [LocalPrefix.Of(2, IPAddress.Parse("fd00:a11::11"), 64, 9000), LocalPrefix.Of(2, IPAddress.Parse("10.99.0.11"), 24, 9000)];

        var plan = OverlayPlanner.Plan(Topology(3), jumbo, Defaults, tunnelAll: false);

        Assert.Equal(8930, Assert.Single(plan.Devices).Mtu);
    }

    [Fact]
    public void A_peer_without_a_node_address_family_in_common_is_reported_not_routed()
    {
        var selfIPv6Only = Node(1) with { InternalAddresses = [IPAddress.Parse("fd00:a11::11")] };
        var peerIPv4Only = Node(3) with { InternalAddresses = [IPAddress.Parse("10.98.0.13")] };
        var state = ClusterState.Create("n1", Node(1).PodCidrs, [selfIPv6Only, peerIPv4Only]);

        var plan = OverlayPlanner.Plan(state, Uplink, Defaults, tunnelAll: false);

        Assert.Empty(plan.Peers);
        Assert.Empty(plan.Devices);
        Assert.Equal(2, plan.Unroutable.Count);
        Assert.All(plan.Unroutable, reason => Assert.StartsWith("n3 ", reason, StringComparison.Ordinal));
    }

    [Fact]
    public void A_peer_claiming_this_nodes_pool_or_another_peers_CIDR_is_reported_not_routed()
    {
        var thief = Node(3) with { PodCidrs = [IPNetwork.Parse("fd00:10:244:1::/64"), IPNetwork.Parse("10.244.4.0/24")] };
        var state = Topology(thief, Node(4));

        var plan = OverlayPlanner.Plan(state, Uplink, Defaults, tunnelAll: false);

        Assert.Equal(
            ["n3 fd00:10:244:1::/64: overlaps this node's pools", "n4 10.244.4.0/24: already routed to another node"],
            plan.Unroutable);
        Assert.Equal(
            [IPNetwork.Parse("10.244.4.0/24"), IPNetwork.Parse("fd00:10:244:4::/64")],
            plan.Peers.SelectMany(p => p.Routes).Select(r => r.Destination));
    }

    [Fact]
    public void A_peer_whose_tunnel_MAC_equals_this_nodes_is_reported_instead_of_stealing_its_frames()
    {
        // A misconfigured peer announcing this node's own address derives this node's MAC.
        var impostor = Node(3) with { InternalAddresses = [IPAddress.Parse("fd00:a11::11")] };

        var plan = OverlayPlanner.Plan(Topology(impostor), Uplink, Defaults, tunnelAll: true);

        Assert.Empty(plan.Peers);
        Assert.Equal(2, plan.Unroutable.Count);
        Assert.All(plan.Unroutable, reason => Assert.Contains("is taken on cniv6.vx6", reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_peers_node_address_of_both_families_is_admitted_to_the_VXLAN_port()
    {
        var plan = OverlayPlanner.Plan(Topology(2, 3), Uplink, Defaults, tunnelAll: false);

        Assert.Equal(
            ["10.98.0.13", "10.99.0.12", "fd00:a11::12", "fd00:b22::13"],
            plan.NodeAddresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_nodes_plan_for_the_other_agrees_on_MACs_and_tunnel_addresses()
    {
        // n3's own device MAC must be what n1 puts in its FDB for n3, and vice versa.
        var fromN1 = OverlayPlanner.Plan(Topology(3), Uplink, Defaults, tunnelAll: false);
        var n3Uplink = new[] { LocalPrefix.Of(5, IPAddress.Parse("fd00:b22::13"), 64, 1500), LocalPrefix.Of(5, IPAddress.Parse("10.98.0.13"), 24, 1500) };
        var fromN3 = OverlayPlanner.Plan(ClusterState.Create("n3", Node(3).PodCidrs, [Node(1), Node(3)]), n3Uplink, Defaults, tunnelAll: false);

        Assert.Equal(fromN1.Peers[0].Mac, fromN3.Devices[0].Mac);
        Assert.Equal(fromN3.Peers[0].Mac, fromN1.Devices[0].Mac);
        Assert.Equal(fromN1.Devices[0].Local, fromN3.Peers[0].NodeAddress);
    }
}
