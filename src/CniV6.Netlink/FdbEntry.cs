using System.Net;

namespace CniV6.Netlink;

/// <summary>
/// A forwarding-database entry of a bridge or vxlan device (an AF_BRIDGE neighbour). On a vxlan device it says
/// where frames for <paramref name="Mac"/> are sent, encapsulated: to the node at <paramref name="Destination"/>.
/// </summary>
/// <param name="LinkIndex">ndm_ifindex: the device the entry belongs to.</param>
/// <param name="Mac">NDA_LLADDR.</param>
/// <param name="Destination">NDA_DST: the remote tunnel endpoint; null for entries without one (a bridge's own addresses).</param>
/// <param name="State">ndm_state (<see cref="NeighborState.Permanent"/> for static entries).</param>
/// <param name="Self">NTF_SELF: the entry is the device's own, not its bridge master's.</param>
public sealed record FdbEntry(int LinkIndex, byte[] Mac, IPAddress? Destination, NeighborState State, bool Self);
