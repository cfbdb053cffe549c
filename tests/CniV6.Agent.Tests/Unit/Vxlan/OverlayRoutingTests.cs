using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Routing.Vxlan;
using CniV6.Agent.Health;
using CniV6.Core.NodeState;
using CniV6.Netlink;
using Microsoft.Extensions.Logging.Abstractions;
using static CniV6.Agent.Tests.Unit.Vxlan.OverlayTopology;

namespace CniV6.Agent.Tests.Unit.Vxlan;

public class OverlayRoutingTests
{
    private static readonly IPAddress N3 = IPAddress.Parse("fd00:b22::13");
    private static readonly byte[] N3Mac = TunnelAddressing.MacOf(N3);

    private readonly FakeVxlanDataplane _kernel = new();
    private readonly OverlayRouting _routing;

    public OverlayRoutingTests()
    {
        _routing = new OverlayRouting(_kernel, new VxlanOptions(), new AgentMetrics(), NullLogger.Instance);
    }

    [Fact]
    public void The_first_sync_creates_the_device_then_FDB_and_neighbours_before_any_route_through_it()
    {
        _routing.Reconcile(Topology(2, 3), Uplink, tunnelAll: false, full: true);

        var device = _kernel.Links["cniv6.vx6"];
        Assert.True(device.IsUp);
        Assert.Equal(1430, device.Mtu);
        Assert.Equal(TunnelAddressing.MacOf(IPAddress.Parse("fd00:a11::11")), device.Mac);
        Assert.Equal(new VxlanSettings(4096, IPAddress.Parse("fd00:a11::11"), 4789, false, 0, true, false, false), device.Vxlan);
        Assert.Contains("cniv6.vx6", _kernel.TxChecksumOff);
        var fdb = Assert.Single(_kernel.Fdb);
        Assert.Equal(N3Mac, fdb.Mac);
        Assert.Equal(N3, fdb.Destination);
        Assert.Equal(["10.244.3.0", "fd00:10:244:3::"], _kernel.Neighbors.Select(n => n.Address.ToString()).Order(StringComparer.Ordinal));
        Assert.All(_kernel.Neighbors, n => Assert.Equal(N3Mac, n.Mac));

        var tunnelled = _kernel.Routes.Where(r => r.OutputIndex == device.Index).ToArray();
        Assert.Equal(2, tunnelled.Length);
        Assert.All(tunnelled, r => Assert.True(r.OnLink));
        Assert.All(tunnelled, r => Assert.Equal(RouteProtocol.CniV6, r.Protocol));
        Assert.Contains(_kernel.Routes, r => r.Destination == IPNetwork.Parse("fd00:10:244:2::/64") && r.Gateway!.Equals(IPAddress.Parse("fd00:a11::12")) && r.OutputIndex == 2 && !r.OnLink);

        var journal = _kernel.Journal;
        Assert.Equal("firewall", journal[0]);
        Assert.True(journal.IndexOf("create cniv6.vx6") < journal.IndexOf($"fdb {Convert.ToHexStringLower(N3Mac)} {N3}"));
        Assert.True(journal.IndexOf($"fdb {Convert.ToHexStringLower(N3Mac)} {N3}") < journal.IndexOf("route fd00:10:244:3::/64"));
        Assert.True(journal.IndexOf("neigh fd00:10:244:3::") < journal.IndexOf("route fd00:10:244:3::/64"));
    }

    [Fact]
    public void Each_sync_records_the_devices_and_tunnelled_peers_for_doctor_and_removal_deletes_the_record()
    {
        var dir = Directory.CreateTempSubdirectory("cv6k-overlay-record-").FullName;
        try
        {
            var records = new NodeStateFiles(dir, 9);
            var routing = new OverlayRouting(_kernel, new VxlanOptions(), new AgentMetrics(), NullLogger.Instance, "auto", records);

            routing.Reconcile(Topology(2, 3), Uplink, tunnelAll: false, full: true);

            var record = records.ReadOverlay()!;
            Assert.Equal(("auto", 4096u, (ushort)4789), (record.Mode, record.Vni, record.Port));
            var device = Assert.Single(record.Devices);
            Assert.Equal(("cniv6.vx6", "fd00:a11::11", 1430), (device.Name, device.Local, device.Mtu));
            Assert.Equal(TunnelAddressing.FormatMac(_kernel.Links["cniv6.vx6"].Mac), device.Mac);
            var peer = Assert.Single(record.Peers); // n2 shares the segment: direct, no FDB entry
            Assert.Equal(("cniv6.vx6", N3.ToString(), TunnelAddressing.FormatMac(N3Mac)), (peer.Device, peer.Address, peer.Mac));

            routing.Remove();
            Assert.Null(records.ReadOverlay());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_second_sync_of_the_same_state_changes_nothing_not_even_after_a_restart()
    {
        _routing.Reconcile(Topology(2, 3), Uplink, tunnelAll: false, full: true);
        _kernel.Journal.Clear();

        _routing.Reconcile(Topology(2, 3), Uplink, tunnelAll: false, full: false);
        Assert.Empty(_kernel.Journal);

        // A new agent process adopts what is there; only the firewall table is re-asserted (one atomic nft transaction).
        var restarted = new OverlayRouting(_kernel, new VxlanOptions(), new AgentMetrics(), NullLogger.Instance);
        restarted.Reconcile(Topology(2, 3), Uplink, tunnelAll: false, full: true);
        Assert.Equal(["firewall"], _kernel.Journal);
    }

    [Fact]
    public void A_removed_node_loses_its_routes_then_its_neighbours_and_FDB_entry_and_the_unused_device_goes()
    {
        _routing.Reconcile(Topology(2, 3, 4), Uplink, tunnelAll: false, full: true);
        Assert.Equal(2, _kernel.Fdb.Count);
        _kernel.Journal.Clear();

        _routing.Reconcile(Topology(2, 4), Uplink, tunnelAll: false, full: false);

        Assert.Equal(TunnelAddressing.MacOf(IPAddress.Parse("fd00:b22::14")), Assert.Single(_kernel.Fdb).Mac);
        Assert.DoesNotContain(_kernel.Routes, r => r.Destination.BaseAddress.ToString().Contains(":3::", StringComparison.Ordinal) || r.Destination.ToString() == "10.244.3.0/24");
        Assert.Equal(2, _kernel.Neighbors.Count);
        Assert.True(_kernel.Journal.IndexOf("-route fd00:10:244:3::/64") < _kernel.Journal.IndexOf("-neigh fd00:10:244:3::"));

        _routing.Reconcile(Topology(2), Uplink, tunnelAll: false, full: false);

        Assert.False(_kernel.Links.ContainsKey("cniv6.vx6"));
        Assert.Empty(_kernel.Fdb);
        Assert.Equal(2, _kernel.Routes.Count);
    }

    [Fact]
    public void A_peer_whose_address_changed_gets_its_FDB_entry_moved_to_the_new_address()
    {
        _routing.Reconcile(Topology(3), Uplink, tunnelAll: false, full: true);
        var moved = Node(3) with { InternalAddresses = [IPAddress.Parse("fd00:b22::99"), IPAddress.Parse("10.98.0.99")] };

        _routing.Reconcile(Topology(moved), Uplink, tunnelAll: false, full: false);

        var entry = Assert.Single(_kernel.Fdb);
        Assert.Equal(IPAddress.Parse("fd00:b22::99"), entry.Destination);
        Assert.Equal(TunnelAddressing.MacOf(IPAddress.Parse("fd00:b22::99")), entry.Mac);
        Assert.All(_kernel.Neighbors, n => Assert.Equal(entry.Mac, n.Mac));
        Assert.Contains("fd00:b22::99", _kernel.Firewall, StringComparison.Ordinal);
        Assert.DoesNotContain("fd00:b22::13", _kernel.Firewall, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_with_other_settings_is_recreated_and_one_with_another_MTU_only_adjusted()
    {
        var options = new VxlanOptions(Vni: 7);
        _kernel.CreateVxlan("cniv6.vx6", new VxlanSettings(4096, IPAddress.Parse("fd00:a11::11"), 4789), 1430, TunnelAddressing.MacOf(IPAddress.Parse("fd00:a11::11")));
        var routing = new OverlayRouting(_kernel, options, new AgentMetrics(), NullLogger.Instance);

        routing.Reconcile(Topology(3), Uplink, tunnelAll: false, full: true);

        Assert.Equal(7u, _kernel.Links["cniv6.vx6"].Vxlan!.Vni);
        Assert.Contains("delete cniv6.vx6", _kernel.Journal);
        _kernel.Journal.Clear();

        LocalPrefix[] smaller = [.. Uplink.Select(p => p with { Mtu = 1400 })];
        routing.Reconcile(Topology(3), smaller, tunnelAll: false, full: false);

        Assert.Equal(["mtu cniv6.vx6 1330"], _kernel.Journal);
    }

    [Fact]
    public void Only_our_permanent_neighbours_and_stale_owned_routes_are_removed()
    {
        _routing.Reconcile(Topology(3), Uplink, tunnelAll: false, full: true);
        var index = _kernel.Links["cniv6.vx6"].Index;
        _kernel.Neighbors.Add(new NeighborInfo(index, IPAddress.Parse("ff02::16"), [0x33, 0x33, 0, 0, 0, 0x16], NeighborState.NoArp));
        _kernel.Neighbors.Add(new NeighborInfo(index, IPAddress.Parse("fd00:10:244:9::"), N3Mac, NeighborState.Permanent));
        _kernel.Routes.Add(new RouteInfo(IPNetwork.Parse("fd00:10:244:9::/64"), IPAddress.Parse("fd00:a11::99"), 2, Protocol: RouteProtocol.CniV6, Priority: 1024));
        _kernel.Journal.Clear();

        _routing.Reconcile(Topology(3), Uplink, tunnelAll: false, full: false);

        Assert.Equal(["-route fd00:10:244:9::/64", "-neigh fd00:10:244:9::"], _kernel.Journal);
        Assert.Contains(_kernel.Neighbors, n => n.Address.Equals(IPAddress.Parse("ff02::16")));
    }

    [Fact]
    public void Switching_from_auto_to_vxlan_moves_same_segment_peers_into_the_tunnel()
    {
        _routing.Reconcile(Topology(2, 3), Uplink, tunnelAll: false, full: true);

        _routing.Reconcile(Topology(2, 3), Uplink, tunnelAll: true, full: false);

        var index = _kernel.Links["cniv6.vx6"].Index;
        Assert.Equal(4, _kernel.Routes.Count);
        Assert.All(_kernel.Routes, r => Assert.Equal(index, r.OutputIndex));
        Assert.Equal(2, _kernel.Fdb.Count);
    }

    [Fact]
    public void A_peer_moving_to_the_other_underlay_device_loses_its_old_route_first_as_the_kernel_requires()
    {
        new OverlayRouting(_kernel, new VxlanOptions(PreferredUnderlay: AddressFamily.InterNetwork), new AgentMetrics(), NullLogger.Instance)
            .Reconcile(Topology(3), Uplink, tunnelAll: false, full: true);
        Assert.All(_kernel.Routes, r => Assert.Equal(_kernel.Links["cniv6.vx4"].Index, r.OutputIndex));
        _kernel.Journal.Clear();

        // A restart preferring the IPv6 underlay: the routes move from cniv6.vx4 to cniv6.vx6 (the fake refuses an IPv6
        // onlink replace while the old route still leaves by the other device, as the kernel does).
        _routing.Reconcile(Topology(3), Uplink, tunnelAll: false, full: true);

        var index = _kernel.Links["cniv6.vx6"].Index;
        Assert.Equal(2, _kernel.Routes.Count);
        Assert.All(_kernel.Routes, r => Assert.Equal(index, r.OutputIndex));
        Assert.False(_kernel.Links.ContainsKey("cniv6.vx4"));
        Assert.True(_kernel.Journal.IndexOf("-route fd00:10:244:3::/64") < _kernel.Journal.IndexOf("route fd00:10:244:3::/64"));
    }

    [Fact]
    public void Remove_takes_away_devices_routes_and_the_firewall_table()
    {
        var n4 = Node(4) with { InternalAddresses = [IPAddress.Parse("10.98.0.14")] };
        _routing.Reconcile(Topology(Node(2), Node(3), n4), Uplink, tunnelAll: false, full: true);
        Assert.Equal(2, _kernel.Links.Count);

        _routing.Remove();

        Assert.Empty(_kernel.Links);
        Assert.Empty(_kernel.Routes);
        Assert.Empty(_kernel.Fdb);
        Assert.Null(_kernel.Firewall);

        // Nothing left: a second removal is a no-op apart from the idempotent nft script.
        _kernel.Journal.Clear();
        _routing.Remove();
        Assert.Equal(["firewall"], _kernel.Journal);
    }

    [Fact]
    public void The_pod_MTU_overhead_follows_the_plan()
    {
        Assert.Equal(0, _routing.PodMtuOverhead(Topology(2), Uplink, tunnelAll: false));
        Assert.Equal(70, _routing.PodMtuOverhead(Topology(2), Uplink, tunnelAll: true));
        var v4Only = Node(3) with { InternalAddresses = [IPAddress.Parse("10.98.0.13")] };
        Assert.Equal(50, _routing.PodMtuOverhead(Topology(v4Only), Uplink, tunnelAll: false));
        Assert.Equal(AddressFamily.InterNetwork, OverlayPlanner.Plan(Topology(v4Only), Uplink, new VxlanOptions(), false).Devices.Single().Underlay);
    }
}
