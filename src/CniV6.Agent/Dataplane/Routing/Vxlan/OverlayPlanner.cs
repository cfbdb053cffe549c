using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Cluster;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane.Routing.Vxlan;

/// <summary>
/// Decides, per peer and per pod CIDR family, how its pods are reached: directly (a host-gw route via the peer's
/// address, when that address is on a segment this node is attached to and the mode allows it) or through the
/// VXLAN device of an underlay family both nodes have an address of. Pure: everything comes from the cluster state
/// and this node's addresses, so every node of the cluster comes to the same tunnel MACs and addresses.
/// </summary>
internal static class OverlayPlanner
{
    private const int FallbackMtu = 1500;

    /// <param name="state">The cluster, this node included (its node addresses are the tunnels' local ends).</param>
    /// <param name="localPrefixes">This node's global addresses with their on-link prefixes and MTUs.</param>
    /// <param name="options">VNI, port and underlay preference.</param>
    /// <param name="tunnelAll">
    /// <c>vxlan</c> mode: every peer through the tunnel. Otherwise (<c>auto</c>): direct where the peer's address of
    /// the pod CIDR's family is on a local segment, the tunnel everywhere else.
    /// </param>
    public static OverlayPlan Plan(ClusterState state, IReadOnlyList<LocalPrefix> localPrefixes, VxlanOptions options, bool tunnelAll)
    {
        var self = state.Nodes.FirstOrDefault(n => n.Name == state.LocalNodeName);
        var selfAddresses = self?.InternalAddresses ?? [];
        var direct = new List<NodeRoute>();
        var tunnelled = new Dictionary<string, (ClusterNode Node, AddressFamily Underlay, List<TunnelRoute> Routes)>(StringComparer.Ordinal);
        var claimed = new HashSet<IPNetwork>();
        var unroutable = new List<string>();

        foreach (var node in state.Nodes)
        {
            if (node.Name == state.LocalNodeName)
            {
                continue;
            }

            foreach (var cidr in node.PodCidrs)
            {
                if (state.LocalPools.Any(pool => Cidr.Overlaps(pool, cidr)))
                {
                    unroutable.Add($"{node.Name} {cidr}: overlaps this node's pools");
                    continue;
                }

                // Two nodes claiming one CIDR is a cluster misconfiguration; the first (by name) keeps it, deterministically.
                if (!claimed.Add(cidr))
                {
                    unroutable.Add($"{node.Name} {cidr}: already routed to another node");
                    continue;
                }

                var family = cidr.BaseAddress.AddressFamily;
                var gateway = node.AddressOf(family);
                var segment = gateway is null ? null : localPrefixes.FirstOrDefault(p => Cidr.Contains(p.Prefix, gateway));
                if (!tunnelAll && gateway is not null && segment is not null)
                {
                    direct.Add(new NodeRoute(cidr, gateway, segment.InterfaceIndex));
                    continue;
                }

                if (ChooseUnderlay(selfAddresses, node.InternalAddresses, options.PreferredUnderlay) is not { } underlay)
                {
                    unroutable.Add($"{node.Name} {cidr}: no node address of a family this node also has, for the tunnel");
                    continue;
                }

                if (!tunnelled.TryGetValue(node.Name, out var peer))
                {
                    peer = (node, underlay, []);
                    tunnelled.Add(node.Name, peer);
                }

                peer.Routes.Add(new TunnelRoute(cidr, TunnelAddressing.TunnelAddressOf(FirstCidrOf(node, family))));
            }
        }

        var devices = new List<TunnelDevice>();
        var peers = new List<TunnelPeer>();
        foreach (var underlay in new[] { AddressFamily.InterNetworkV6, AddressFamily.InterNetwork })
        {
            var onDevice = tunnelled.Values.Where(p => p.Underlay == underlay).ToArray();
            if (onDevice.Length == 0)
            {
                continue;
            }

            var local = selfAddresses.First(a => a.AddressFamily == underlay);
            var device = new TunnelDevice(
                underlay,
                TunnelAddressing.DeviceName(underlay),
                local,
                TunnelAddressing.MacOf(local),
                UplinkMtu(local, localPrefixes) - OverlayPlan.OverheadOf(underlay));
            devices.Add(device);

            // A MAC shared by two peers (or with this node) would send one peer's frames to the other: keep the first.
            var macs = new HashSet<string>(StringComparer.Ordinal) { Convert.ToHexString(device.Mac) };
            foreach (var (node, _, routes) in onDevice)
            {
                var address = node.AddressOf(underlay)!;
                var mac = TunnelAddressing.MacOf(address);
                if (!macs.Add(Convert.ToHexString(mac)))
                {
                    unroutable.AddRange(routes.Select(r => $"{node.Name} {r.Destination}: its tunnel MAC {TunnelAddressing.FormatMac(mac)} is taken on {device.Name}"));
                    continue;
                }

                peers.Add(new TunnelPeer(node.Name, underlay, address, mac, routes));
            }
        }

        var nodeAddresses = state.Nodes.Where(n => n.Name != state.LocalNodeName)
            .SelectMany(n => n.InternalAddresses)
            .Distinct()
            .ToArray();
        return new OverlayPlan(direct, devices, peers, nodeAddresses, unroutable);
    }

    /// <summary>The preferred family when both nodes have an address of it, else the other one when both have that.</summary>
    internal static AddressFamily? ChooseUnderlay(IReadOnlyList<IPAddress> self, IReadOnlyList<IPAddress> peer, AddressFamily preferred)
    {
        var other = preferred == AddressFamily.InterNetworkV6 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        foreach (var family in new[] { preferred, other })
        {
            if (self.Any(a => a.AddressFamily == family) && peer.Any(a => a.AddressFamily == family))
            {
                return family;
            }
        }

        return null;
    }

    private static IPNetwork FirstCidrOf(ClusterNode node, AddressFamily family) =>
        node.PodCidrs.First(c => c.BaseAddress.AddressFamily == family);

    /// <summary>The MTU of the link carrying the local address; 1500 when it is not found on this node.</summary>
    private static int UplinkMtu(IPAddress local, IReadOnlyList<LocalPrefix> localPrefixes) =>
        localPrefixes.FirstOrDefault(p => p.Address.Equals(local))?.Mtu ?? FallbackMtu;
}
