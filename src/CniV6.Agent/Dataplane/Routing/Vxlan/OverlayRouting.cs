using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Cluster;
using CniV6.Agent.Health;
using CniV6.Core.NodeState;
using CniV6.Netlink;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Routing.Vxlan;

/// <summary>
/// What the <c>vxlan</c> and <c>auto</c> modes share: bring the node in line with an <see cref="OverlayPlan"/>.
/// Owns the devices <c>cniv6.vx6</c>/<c>cniv6.vx4</c> with their FDB and neighbour entries, the main table's
/// routes with protocol 198 and a gateway (direct and tunnelled node routes alike: one mode is active at a time)
/// and the nft table <see cref="VxlanFirewall.Table"/>. Order within a sync: firewall (a new node's packets are
/// admitted before anyone sends them), devices, FDB and neighbours of the wanted peers, routes, then removal of
/// what is no longer wanted, so a peer never has a route before its FDB entry. What a previous agent process
/// left is adopted as it is when it matches: a restart changes nothing and does not flap the tunnel.
/// </summary>
/// <param name="mode">The mode using it: the label of its route metrics, and named in the record it leaves for <c>cniv6 doctor</c>.</param>
/// <param name="nodeState">Where that record goes (<see cref="OverlayRecord"/>); null writes none.</param>
internal sealed partial class OverlayRouting(IVxlanDataplane kernel, VxlanOptions options, AgentMetrics metrics, ILogger logger,
                                             string mode = VxlanMode.ModeName, NodeStateFiles? nodeState = null)
{
    private string? _appliedFirewall;
    private HashSet<string> _reportedUnroutable = [];

    /// <summary>The pod MTU overhead of the plan for this state (see <see cref="OverlayPlan.PodMtuOverhead"/>).</summary>
    public int PodMtuOverhead(ClusterState state, IReadOnlyList<LocalPrefix> localPrefixes, bool tunnelAll) =>
        OverlayPlanner.Plan(state, localPrefixes, options, tunnelAll).PodMtuOverhead;

    public OverlayPlan Reconcile(ClusterState state, IReadOnlyList<LocalPrefix> localPrefixes, bool tunnelAll, bool full)
    {
        var plan = OverlayPlanner.Plan(state, localPrefixes, options, tunnelAll);
        foreach (var reason in plan.Unroutable.Where(r => !_reportedUnroutable.Contains(r)))
        {
            LogUnroutable(reason);
        }

        _reportedUnroutable = [.. plan.Unroutable];

        // Re-applied on full passes too: someone may have flushed the ruleset. Without a device nothing listens on
        // the port, so there is nothing to guard: the table goes (once, which also clears a previous process's), and
        // a cluster that never tunnels (auto on one segment) never needs nft at all.
        var firewall = plan.Devices.Count > 0 ? VxlanFirewall.Render(options.Port, plan.NodeAddresses) : VxlanFirewall.RenderRemoval();
        if (firewall != _appliedFirewall || (full && plan.Devices.Count > 0))
        {
            kernel.ApplyFirewall(firewall);
            _appliedFirewall = firewall;
        }

        var indexes = new Dictionary<AddressFamily, int>();
        foreach (var device in plan.Devices)
        {
            indexes[device.Underlay] = EnsureDevice(device);
        }

        var wantedFdb = new Dictionary<AddressFamily, List<(byte[] Mac, IPAddress Destination)>>();
        var wantedNeighbors = new Dictionary<AddressFamily, List<(IPAddress Address, byte[] Mac)>>();
        foreach (var device in plan.Devices)
        {
            var index = indexes[device.Underlay];
            var peers = plan.Peers.Where(p => p.Underlay == device.Underlay).ToArray();
            wantedFdb[device.Underlay] = [.. peers.Select(p => (p.Mac, p.NodeAddress))];
            wantedNeighbors[device.Underlay] = [.. peers.SelectMany(p => p.TunnelAddresses.Select(a => (a, p.Mac)))];
            AddFdb(index, device.Name, wantedFdb[device.Underlay]);
            AddNeighbors(index, device.Name, wantedNeighbors[device.Underlay]);
        }

        // Route lines name devices: ours by the plan, the uplinks by this sync's links.
        var tunnels = plan.Devices.ToDictionary(d => indexes[d.Underlay], d => d.Name);
        ReconcileRoutes(DesiredRoutes(plan, indexes), index => tunnels.TryGetValue(index, out var name) ? name : LocalPrefix.DeviceText(index, localPrefixes));

        foreach (var device in plan.Devices)
        {
            var index = indexes[device.Underlay];
            RemoveStaleNeighbors(index, device.Name, wantedNeighbors[device.Underlay]);
            RemoveStaleFdb(index, device.Name, wantedFdb[device.Underlay]);
        }

        foreach (var family in new[] { AddressFamily.InterNetworkV6, AddressFamily.InterNetwork })
        {
            var name = TunnelAddressing.DeviceName(family);
            if (!indexes.ContainsKey(family) && kernel.DeleteLink(name))
            {
                // Its FDB, neighbours and routes went with it.
                LogDeviceRemoved(name);
            }
        }

        nodeState?.WriteOverlay(Record(plan));
        return plan;
    }

    /// <summary>Removes all an overlay mode installs: both devices (with their entries and routes), the node routes, the firewall table.</summary>
    public void Remove()
    {
        foreach (var family in new[] { AddressFamily.InterNetworkV6, AddressFamily.InterNetwork })
        {
            var name = TunnelAddressing.DeviceName(family);
            if (kernel.DeleteLink(name))
            {
                LogDeviceRemoved(name);
            }
        }

        ReconcileRoutes([], index => LocalPrefix.DeviceText(index, null));
        kernel.ApplyFirewall(VxlanFirewall.RenderRemoval());
        _appliedFirewall = null;
        nodeState?.DeleteOverlay();
    }

    /// <summary>What this plan installed, as <c>cniv6 doctor</c> checks it: devices and their settings, one FDB entry per tunnelled peer.</summary>
    private OverlayRecord Record(OverlayPlan plan) => new(
        mode,
        options.Vni,
        options.Port,
        [.. plan.Devices.Select(d => new OverlayDeviceRecord(d.Name, d.Local.ToString(), TunnelAddressing.FormatMac(d.Mac), d.Mtu))],
        [.. plan.Peers.Select(p => new OverlayPeerRecord(p.Node, TunnelAddressing.DeviceName(p.Underlay), p.NodeAddress.ToString(), TunnelAddressing.FormatMac(p.Mac)))]);

    private int EnsureDevice(TunnelDevice device)
    {
        var wanted = new VxlanSettings(options.Vni, device.Local, options.Port, Learning: false);
        var existing = kernel.GetLink(device.Name);
        int index;
        if (existing is { Kind: "vxlan", Vxlan: { } actual } && wanted.IsSatisfiedBy(actual) && existing.Mac.AsSpan().SequenceEqual(device.Mac))
        {
            // Adopted (an agent restart): nothing that carries traffic is touched.
            index = existing.Index;
            if (existing.Mtu != device.Mtu)
            {
                kernel.SetMtu(index, device.Mtu);
                LogDeviceMtuChanged(device.Name, existing.Mtu, device.Mtu);
            }
        }
        else
        {
            if (existing is not null)
            {
                // Another VNI, port, local address or MAC (the node's address changed): only a new device will do.
                kernel.DeleteLink(device.Name);
                LogDeviceReplaced(device.Name);
            }

            index = kernel.CreateVxlan(device.Name, wanted, device.Mtu, device.Mac);
            LogDeviceCreated(device.Name, options.Vni, device.Local, options.Port, new MacText(device.Mac), device.Mtu);
        }

        // calico#3145 / kubernetes#88986: with tx checksum offload on, the inner packets' checksums of the vxlan
        // device are left to the NIC, which on some NIC/kernel combinations writes them wrong or not at all; the
        // receiver drops the packet and TCP retransmits until a 63 s stall. Calico computes them in software by
        // turning the offload off on its device; so do we. Idempotent, so checked on every pass.
        kernel.DisableTxChecksumOffload(device.Name);
        if (existing is null || !existing.IsUp || existing.Index != index)
        {
            kernel.SetUp(index);
        }

        return index;
    }

    private void AddFdb(int index, string device, List<(byte[] Mac, IPAddress Destination)> wanted)
    {
        // Sets, not a scan per entry: with thousands of peers a scan per entry was quadratic.
        var existing = kernel.ListFdb(index).Where(e => e.State.HasFlag(NeighborState.Permanent) && e.Destination is not null)
                             .Select(e => (Convert.ToHexString(e.Mac), e.Destination!)).ToHashSet();
        foreach (var (mac, destination) in wanted)
        {
            if (!existing.Contains((Convert.ToHexString(mac), destination)))
            {
                kernel.SetFdb(index, mac, destination);
                LogFdbSet(device, new MacText(mac), destination);
            }
        }
    }

    private void RemoveStaleFdb(int index, string device, List<(byte[] Mac, IPAddress Destination)> wanted)
    {
        var keep = wanted.Select(w => (Convert.ToHexString(w.Mac), w.Destination)).ToHashSet();
        foreach (var entry in kernel.ListFdb(index))
        {
            if (entry.Destination is null || !keep.Contains((Convert.ToHexString(entry.Mac), entry.Destination)))
            {
                kernel.DeleteFdb(index, entry.Mac, entry.Destination!);
                LogFdbRemoved(device, new MacText(entry.Mac), entry.Destination!);
            }
        }
    }

    private void AddNeighbors(int index, string device, List<(IPAddress Address, byte[] Mac)> wanted)
    {
        var existing = kernel.ListNeighbors(index).Where(n => n.State == NeighborState.Permanent)
                             .Select(n => (n.Address, Convert.ToHexString(n.Mac))).ToHashSet();
        foreach (var (address, mac) in wanted)
        {
            if (!existing.Contains((address, Convert.ToHexString(mac))))
            {
                kernel.SetNeighbor(index, address, mac);
                LogNeighborSet(device, address, new MacText(mac));
            }
        }
    }

    private void RemoveStaleNeighbors(int index, string device, List<(IPAddress Address, byte[] Mac)> wanted)
    {
        // Only permanent entries are ours; the kernel keeps its own (multicast groups, NOARP) on the device too.
        var keep = wanted.Select(w => w.Address).ToHashSet();
        foreach (var neighbor in kernel.ListNeighbors(index).Where(n => n.State.HasFlag(NeighborState.Permanent)))
        {
            if (!keep.Contains(neighbor.Address))
            {
                kernel.DeleteNeighbor(index, neighbor.Address);
                LogNeighborRemoved(device, neighbor.Address);
            }
        }
    }

    private static List<RouteInfo> DesiredRoutes(OverlayPlan plan, Dictionary<AddressFamily, int> indexes)
    {
        var routes = plan.DirectRoutes
            .Select(r => new RouteInfo(r.Destination, r.Gateway, r.OutputIndex, RouteScope.Universe, RouteProtocol.CniV6, RouteTable.Main))
            .ToList();
        routes.AddRange(plan.Peers.SelectMany(p => p.Routes.Select(r =>
            new RouteInfo(r.Destination, r.TunnelAddress, indexes[p.Underlay], RouteScope.Universe, RouteProtocol.CniV6, RouteTable.Main, OnLink: true))));
        return routes;
    }

    /// <summary>
    /// Replaces each wanted route that is not there exactly (gateway, device, onlink), then deletes every owned route
    /// that is not wanted: other destinations, and leftovers beside a wanted one (another metric, a duplicate).
    /// </summary>
    private void ReconcileRoutes(List<RouteInfo> desired, Func<int, string> deviceName)
    {
        var installed = kernel.ListOwnedRoutes();
        // Looked up by destination (a handful of routes each), not scanned per wanted route: that was quadratic in
        // the peers (5000 Nodes: ~10 s per sync).
        var installedAt = installed.ToLookup(r => r.Destination);
        var desiredAt = desired.ToLookup(r => r.Destination);
        var kept = new HashSet<RouteInfo>(ReferenceEqualityComparer.Instance);
        var gone = new HashSet<RouteInfo>(ReferenceEqualityComparer.Instance);
        int replaced = 0, deleted = 0;
        foreach (var route in desired)
        {
            if (installedAt[route.Destination].FirstOrDefault(r => SameNextHop(r, route) && r.OnLink == route.OnLink && !kept.Contains(r)) is { } match)
            {
                kept.Add(match);
                continue;
            }

            // The peer changes device (direct <-> tunnel, or another underlay). The kernel checks an IPv6 onlink
            // gateway against the table (ip6_route_check_nh_onlink) and refuses it with EINVAL "device mismatch"
            // while a route covering it leaves by another device, and the tunnel address lies inside the very
            // destination being replaced. So the old route goes first; only this peer waits for the new one.
            if (route.OnLink)
            {
                foreach (var moved in installedAt[route.Destination].Where(r => r.OutputIndex != route.OutputIndex && !kept.Contains(r) && gone.Add(r)))
                {
                    kernel.DeleteRoute(moved);
                    deleted++;
                    LogRouteRemoved(moved.Destination, moved.Gateway!, new DeviceText(moved.OutputIndex, deviceName));
                }
            }

            kernel.ReplaceRoute(route);
            replaced++;
            LogRouteSet(route.Destination, route.Gateway!, new DeviceText(route.OutputIndex, deviceName), route.OnLink);
        }

        foreach (var route in installed.Where(r => !kept.Contains(r) && !gone.Contains(r)))
        {
            // The replace above overwrote it in place (same destination, next hop and metric; only a flag differed).
            if (desiredAt[route.Destination].Any(d => SameNextHop(route, d)))
            {
                continue;
            }

            kernel.DeleteRoute(route);
            deleted++;
            LogRouteRemoved(route.Destination, route.Gateway!, new DeviceText(route.OutputIndex, deviceName));
        }

        metrics.RoutesChanged(replaced, deleted, desired.Count, mode);
    }

    private static bool SameNextHop(RouteInfo a, RouteInfo b) =>
        a.Destination == b.Destination && Equals(a.Gateway, b.Gateway) && a.OutputIndex == b.OutputIndex;
}
