using System.Net;
using System.Net.Sockets;

namespace CniV6.Agent.Dataplane.Routing.Vxlan;

/// <summary>A vxlan device this node needs: one per underlay family over which at least one peer is reached.</summary>
/// <param name="Underlay">The family of the outer (encapsulating) packets.</param>
/// <param name="Name"><c>cniv6.vx6</c> or <c>cniv6.vx4</c>.</param>
/// <param name="Local">This node's address of that family: the outer source, and what peers send to.</param>
/// <param name="Mac">This node's tunnel MAC (<see cref="TunnelAddressing.MacOf"/> of <paramref name="Local"/>).</param>
/// <param name="Mtu">The uplink's MTU less the encapsulation (70 bytes over IPv6, 50 over IPv4).</param>
internal sealed record TunnelDevice(AddressFamily Underlay, string Name, IPAddress Local, byte[] Mac, int Mtu)
{
    public bool Equals(TunnelDevice? other) =>
        other is not null && Underlay == other.Underlay && Name == other.Name && Local.Equals(other.Local)
        && Mac.AsSpan().SequenceEqual(other.Mac) && Mtu == other.Mtu;

    public override int GetHashCode() => HashCode.Combine(Underlay, Name, Local, Mtu);
}

/// <summary>A pod CIDR of a peer, routed onlink via the peer's tunnel address.</summary>
internal sealed record TunnelRoute(IPNetwork Destination, IPAddress TunnelAddress);

/// <summary>
/// A peer reached through the device of <paramref name="Underlay"/>: one FDB entry (<paramref name="Mac"/> →
/// <paramref name="NodeAddress"/>), one permanent neighbour per tunnel address (→ <paramref name="Mac"/>), and its
/// tunnelled pod CIDRs.
/// </summary>
internal sealed record TunnelPeer(string Node, AddressFamily Underlay, IPAddress NodeAddress, byte[] Mac, IReadOnlyList<TunnelRoute> Routes)
{
    public IEnumerable<IPAddress> TunnelAddresses => Routes.Select(r => r.TunnelAddress).Distinct();

    public bool Equals(TunnelPeer? other) =>
        other is not null && Node == other.Node && Underlay == other.Underlay && NodeAddress.Equals(other.NodeAddress)
        && Mac.AsSpan().SequenceEqual(other.Mac) && Routes.SequenceEqual(other.Routes);

    public override int GetHashCode() => HashCode.Combine(Node, Underlay, NodeAddress, Routes.Count);
}

/// <summary>
/// Everything the overlay modes want on this node for one cluster state: direct (host-gw) routes to peers on a
/// shared segment, the vxlan devices and, per tunnelled peer, its FDB entry, neighbours and routes; the node
/// addresses the VXLAN port accepts packets from; and what could not be routed, with the reason.
/// </summary>
internal sealed record OverlayPlan(
    IReadOnlyList<NodeRoute> DirectRoutes,
    IReadOnlyList<TunnelDevice> Devices,
    IReadOnlyList<TunnelPeer> Peers,
    IReadOnlyList<IPAddress> NodeAddresses,
    IReadOnlyList<string> Unroutable)
{
    /// <summary>Outer IPv6 (40) + UDP (8) + VXLAN (8) + inner Ethernet (14) header bytes.</summary>
    public const int IPv6Overhead = 70;

    /// <summary>Outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14) header bytes.</summary>
    public const int IPv4Overhead = 50;

    /// <summary>What a pod's MTU must leave for the largest encapsulation any of its packets may get (0: none tunnelled).</summary>
    public int PodMtuOverhead =>
        Devices.Any(d => d.Underlay == AddressFamily.InterNetworkV6) ? IPv6Overhead
        : Devices.Count > 0 ? IPv4Overhead
        : 0;

    public static int OverheadOf(AddressFamily underlay) =>
        underlay == AddressFamily.InterNetworkV6 ? IPv6Overhead : IPv4Overhead;
}
