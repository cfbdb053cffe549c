using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>
/// The BGP router ID: a 32-bit value even on an IPv6-only node (RFC 6286 only asks it to be unique in the AS). The
/// node's IPv4 address when it has a usable one, else a stable hash of the node name. A hashed ID never lies in
/// 0.0.0.0/8, 127.0.0.0/8 or 224.0.0.0/4: BIRD and other speakers refuse or mishandle such IDs (calico#5146).
/// </summary>
internal static class BgpRouterId
{
    public static IPAddress For(string nodeName, IEnumerable<IPAddress> nodeAddresses)
    {
        var ipv4 = nodeAddresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && IsUsable(a.GetAddressBytes()));
        if (ipv4 is not null)
        {
            return ipv4;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(nodeName), hash);
        Span<byte> id = stackalloc byte[4];
        hash[..4].CopyTo(id);
        id[0] = UsableFirstOctet(id[0]);
        return new IPAddress(id);
    }

    /// <summary>Maps any first octet into 1–223 without 127, deterministically.</summary>
    private static byte UsableFirstOctet(byte octet)
    {
        var mapped = (byte)(1 + (octet % 223));
        return mapped == 127 ? (byte)128 : mapped;
    }

    private static bool IsUsable(ReadOnlySpan<byte> bytes) =>
        bytes[0] is not 0 and not 127 and < 224 && BinaryPrimitives.ReadUInt32BigEndian(bytes) != 0;
}
