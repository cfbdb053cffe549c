using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace CniV6.Agent.Dataplane.Routing.Vxlan;

/// <summary>
/// How a node knows the tunnel identity of every peer without anyone publishing it (no annotation, no extra API
/// write, nothing to get out of date): both are derived from what the Node object already says.
/// <list type="bullet">
/// <item>Tunnel MAC of a node on the device of underlay family F: <c>0e</c> followed by the first 5 bytes of
/// SHA-256 of the node's address of family F (network byte order). 0x0e marks a locally administered unicast
/// address; 40 hashed bits make a collision among 10 000 nodes about a 5·10⁻⁵ chance, and a collision that does
/// happen is detected and reported, never silently mis-delivered.</item>
/// <item>Tunnel address of a node for inner family F: the network address of its first pod CIDR of family F
/// (flannel's choice). Pod CIDRs do not overlap, so neither do tunnel addresses; the address is only a next hop
/// (a neighbour entry on the device), never assigned to an interface.</item>
/// </list>
/// </summary>
internal static class TunnelAddressing
{
    public const string DeviceNameIPv6 = "cniv6.vx6";
    public const string DeviceNameIPv4 = "cniv6.vx4";

    private const byte MacPrefix = 0x0e;

    /// <summary>The device carrying traffic over the given underlay family.</summary>
    public static string DeviceName(AddressFamily underlay) => underlay switch
    {
        AddressFamily.InterNetworkV6 => DeviceNameIPv6,
        AddressFamily.InterNetwork => DeviceNameIPv4,
        _ => throw new ArgumentOutOfRangeException(nameof(underlay), underlay, "not IPv4 or IPv6"),
    };

    /// <summary>The tunnel MAC of the node whose address (of the device's underlay family) is <paramref name="nodeAddress"/>.</summary>
    public static byte[] MacOf(IPAddress nodeAddress)
    {
        ArgumentNullException.ThrowIfNull(nodeAddress);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(nodeAddress.GetAddressBytes(), hash);
        byte[] mac = new byte[6];
        mac[0] = MacPrefix;
        hash[..5].CopyTo(mac.AsSpan(1));
        return mac;
    }

    /// <summary>The tunnel address that stands for the node owning <paramref name="podCidr"/>.</summary>
    public static IPAddress TunnelAddressOf(IPNetwork podCidr) => podCidr.BaseAddress;

    /// <summary>"0e:12:34:56:78:9a", for logs.</summary>
    public static string FormatMac(ReadOnlySpan<byte> mac) => string.Join(':', mac.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
