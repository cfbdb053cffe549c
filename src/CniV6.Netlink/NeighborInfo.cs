using System.Net;

namespace CniV6.Netlink;

/// <summary>An IPv4 (ARP) or IPv6 (NDP) neighbour entry, as RTM_NEWNEIGH describes it.</summary>
/// <param name="LinkIndex">ndm_ifindex.</param>
/// <param name="Address">NDA_DST.</param>
/// <param name="Mac">NDA_LLADDR; empty while unresolved.</param>
/// <param name="State">ndm_state.</param>
public sealed record NeighborInfo(int LinkIndex, IPAddress Address, byte[] Mac, NeighborState State);
