namespace CniV6.Netlink;

/// <summary>A network interface as RTM_NEWLINK describes it.</summary>
/// <param name="Index">ifindex.</param>
/// <param name="Name">IFLA_IFNAME.</param>
/// <param name="Kind">IFLA_INFO_KIND ("veth", "bridge", …); null for devices without one (e.g. lo, physical NICs).</param>
/// <param name="Mac">IFLA_ADDRESS; empty when the device has none.</param>
/// <param name="Mtu">IFLA_MTU.</param>
/// <param name="IsUp">IFF_UP is set (administratively up).</param>
/// <param name="ParentIndex">IFLA_LINK: for a veth the peer's ifindex (in the peer's namespace); 0 when absent.</param>
/// <param name="LinkNetNsId">IFLA_LINK_NETNSID: the peer's namespace id as seen from this namespace, when it is another one.</param>
/// <param name="Alias">IFLA_IFALIAS, when set.</param>
/// <param name="Vxlan">For a link of kind "vxlan", its IFLA_INFO_DATA; otherwise null.</param>
public sealed record LinkInfo(
    int Index,
    string Name,
    string? Kind,
    byte[] Mac,
    int Mtu,
    bool IsUp,
    int ParentIndex,
    int? LinkNetNsId,
    string? Alias = null,
    VxlanSettings? Vxlan = null);
