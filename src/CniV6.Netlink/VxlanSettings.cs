using System.Net;

namespace CniV6.Netlink;

/// <summary>
/// The settings of a vxlan device (IFLA_INFO_DATA of kind "vxlan"): what <see cref="RtNetlink.CreateVxlan"/>
/// asks for and what <see cref="LinkInfo.Vxlan"/> reads back. A null setting is left to the kernel on creation;
/// read back, every setting the kernel reports is filled in.
/// </summary>
/// <param name="Vni">IFLA_VXLAN_ID: the 24-bit VXLAN network identifier.</param>
/// <param name="Local">IFLA_VXLAN_LOCAL (IPv4) or IFLA_VXLAN_LOCAL6: the source address of encapsulated packets; it also picks the underlay family.</param>
/// <param name="Port">IFLA_VXLAN_PORT: the UDP destination port (4789 is IANA's; the kernel's own default is 8472).</param>
/// <param name="Learning">IFLA_VXLAN_LEARNING: learn FDB entries from received packets (off: only static entries count).</param>
/// <param name="UnderlayIndex">IFLA_VXLAN_LINK: the device encapsulated packets leave by; 0 lets the route to the peer decide.</param>
/// <param name="UdpChecksum">IFLA_VXLAN_UDP_CSUM: compute the outer UDP checksum over an IPv4 underlay.</param>
/// <param name="ZeroChecksum6Tx">IFLA_VXLAN_UDP_ZERO_CSUM6_TX: send a zero outer UDP checksum over IPv6 (RFC 6935; the peer must accept it).</param>
/// <param name="ZeroChecksum6Rx">IFLA_VXLAN_UDP_ZERO_CSUM6_RX: accept a zero outer UDP checksum over IPv6.</param>
public sealed record VxlanSettings(
    uint Vni,
    IPAddress? Local,
    ushort Port,
    bool? Learning = false,
    int UnderlayIndex = 0,
    bool? UdpChecksum = null,
    bool? ZeroChecksum6Tx = null,
    bool? ZeroChecksum6Rx = null)
{
    /// <summary>VNIs are 24 bits.</summary>
    public const uint MaxVni = (1 << 24) - 1;

    /// <summary>
    /// True when <paramref name="actual"/> (as read back) has every setting this one asks for; settings left null
    /// here are not compared. Reconciliation uses it to tell a device it can keep from one it must re-create.
    /// </summary>
    public bool IsSatisfiedBy(VxlanSettings actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        return Vni == actual.Vni
            && Equals(Local, actual.Local)
            && Port == actual.Port
            && UnderlayIndex == actual.UnderlayIndex
            && Covers(Learning, actual.Learning)
            && Covers(UdpChecksum, actual.UdpChecksum)
            && Covers(ZeroChecksum6Tx, actual.ZeroChecksum6Tx)
            && Covers(ZeroChecksum6Rx, actual.ZeroChecksum6Rx);
    }

    private static bool Covers(bool? wanted, bool? actual) => wanted is null || wanted == actual;
}
