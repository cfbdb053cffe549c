using System.Net;

namespace CniV6.Core.Pod;

/// <summary>
/// The gateways every pod sees. They are the same on every node and for every pod (Calico's scheme):
/// the host veth carries the fixed MAC below, so its EUI-64 link-local address is the IPv6 gateway,
/// and the IPv4 gateway is a link-local address the host veth answers for. Nothing in a pool is spent
/// on gateways and a pod moved to another node keeps the same routes.
/// </summary>
public static class PodGateway
{
    /// <summary>MAC of every host-side veth; a locally administered unicast address.</summary>
    public static ReadOnlySpan<byte> HostMac => [0xee, 0xee, 0xee, 0xee, 0xee, 0xee];

    public const string HostMacText = "ee:ee:ee:ee:ee:ee";

    /// <summary>EUI-64 link-local of <see cref="HostMac"/>: the pod's IPv6 default gateway.</summary>
    public static readonly IPAddress IPv6 = IPAddress.Parse("fe80::ecee:eeff:feee:eeee");

    /// <summary>Link-local IPv4 gateway; assigned /32 scope link on each host veth so the pod can ping it.</summary>
    public static readonly IPAddress IPv4 = IPAddress.Parse("169.254.1.1");

    public static IPAddress For(System.Net.Sockets.AddressFamily family) =>
        family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPv6 : IPv4;
}
