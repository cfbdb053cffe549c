namespace CniV6.Netlink;

/// <summary>An interface address as RTM_NEWADDR describes it.</summary>
/// <param name="Index">ifindex of the interface.</param>
/// <param name="Address">IFA_LOCAL when present (IPv4), else IFA_ADDRESS.</param>
/// <param name="PrefixLength">ifa_prefixlen.</param>
/// <param name="Scope">ifa_scope (see <see cref="RouteScope"/>).</param>
/// <param name="Flags">IFA_FLAGS (all 32 bits) when present, else ifa_flags; see <see cref="AddressFlags"/>.</param>
public sealed record AddressInfo(int Index, System.Net.IPAddress Address, int PrefixLength, byte Scope, uint Flags);
