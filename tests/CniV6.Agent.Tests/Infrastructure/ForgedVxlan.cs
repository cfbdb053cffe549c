using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>
/// A hand-built VXLAN datagram (RFC 7348) carrying an Ethernet frame with an IPv6/UDP packet: what an attacker who
/// can reach a node's VXLAN port could send. Built here, not by a tool, so the test controls every byte.
/// </summary>
internal static class ForgedVxlan
{
    /// <summary>The UDP payload to send to the node's VXLAN port.</summary>
    public static byte[] Datagram(uint vni, byte[] innerDestinationMac, byte[] innerSourceMac, IPAddress innerSource, IPAddress innerDestination,
                                  ushort destinationPort, byte[] payload)
    {
        var udpLength = 8 + payload.Length;
        var frame = new byte[8 + 14 + 40 + udpLength];
        var span = frame.AsSpan();

        // VXLAN: flags with the I bit (VNI valid), 24-bit VNI.
        span[0] = 0x08;
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], vni << 8);

        // Ethernet.
        innerDestinationMac.CopyTo(span[8..]);
        innerSourceMac.CopyTo(span[14..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[20..], 0x86DD);

        // IPv6.
        var ip = span[22..];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)udpLength);
        ip[6] = (byte)ProtocolType.Udp;
        ip[7] = 64;
        innerSource.GetAddressBytes().CopyTo(ip[8..]);
        innerDestination.GetAddressBytes().CopyTo(ip[24..]);

        // UDP with its checksum over the IPv6 pseudo-header (mandatory for IPv6).
        var udp = ip[40..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        payload.CopyTo(udp[8..]);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], UdpChecksum(ip[8..24], ip[24..40], udp[..udpLength]));
        return frame;
    }

    private static ushort UdpChecksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> udp)
    {
        ulong sum = 0;
        void Add(ReadOnlySpan<byte> bytes)
        {
            for (var i = 0; i < bytes.Length; i += 2)
            {
                sum += (uint)(bytes[i] << 8 | (i + 1 < bytes.Length ? bytes[i + 1] : 0));
            }
        }

        Add(source);
        Add(destination);
        sum += (uint)udp.Length;
        sum += (uint)ProtocolType.Udp;
        Add(udp);
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        var checksum = (ushort)~sum;
        return checksum == 0 ? (ushort)0xffff : checksum;
    }
}
