using System.Buffers.Binary;
using CniV6.Netlink;
using CniV6.Netlink.Kernel;

namespace CniV6.UnitTests.Netlink;

/// <summary>Builds messages as the kernel would send them, for feeding the reader and the requester.</summary>
internal static class KernelMessages
{
    internal delegate void Body(ref NetlinkMessageWriter writer);

    /// <summary>A message of <paramref name="type"/> addressed to <paramref name="portId"/> with sequence <paramref name="seq"/>.</summary>
    internal static byte[] Message(ushort type, ushort flags, uint seq, uint portId, Body body)
    {
        Span<byte> buffer = stackalloc byte[4096];
        var writer = new NetlinkMessageWriter(buffer, type, flags, seq);
        body(ref writer);
        byte[] message = writer.Complete().ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(12), portId);
        return message;
    }

    internal static Func<uint, byte[]> Ack(uint? portId = null)
        => seq => Error(seq, portId ?? ScriptedTransport.OurPortId, 0, null);

    internal static Func<uint, byte[]> Failure(int errno, string? extendedAck = null, int seqOffset = 0)
        => seq => Error((uint)(seq + seqOffset), ScriptedTransport.OurPortId, errno, extendedAck);

    internal static Func<uint, byte[]> Done(ushort flags = NetlinkHeaders.NLM_F_MULTI, int error = 0)
        => seq => Message(NetlinkHeaders.NLMSG_DONE, flags, seq, ScriptedTransport.OurPortId, (ref NetlinkMessageWriter w) =>
            BinaryPrimitives.WriteInt32LittleEndian(w.Reserve(4), -error));

    /// <summary>
    /// An NLMSG_ERROR as sent on a NETLINK_CAP_ACK + NETLINK_EXT_ACK socket: the echoed request header only, then
    /// NLMSGERR_ATTR_MSG.
    /// </summary>
    internal static byte[] Error(uint seq, uint portId, int errno, string? extendedAck)
    {
        ushort flags = NetlinkHeaders.NLM_F_CAPPED;
        if (extendedAck is not null)
        {
            flags |= NetlinkHeaders.NLM_F_ACK_TLVS;
        }

        return Message(NetlinkHeaders.NLMSG_ERROR, flags, seq, portId, (ref NetlinkMessageWriter w) =>
        {
            Span<byte> body = w.Reserve(4 + NetlinkHeaders.NLMSG_HDRLEN);
            BinaryPrimitives.WriteInt32LittleEndian(body, -errno);
            BinaryPrimitives.WriteUInt32LittleEndian(body[4..], 32);
            BinaryPrimitives.WriteUInt32LittleEndian(body[12..], seq);
            if (extendedAck is not null)
            {
                w.WriteString(NetlinkHeaders.NLMSGERR_ATTR_MSG, extendedAck);
            }
        });
    }

    /// <summary>An RTM_NEWLINK describing a link, as in a dump or a GET answer.</summary>
    internal static Func<uint, byte[]> Link(int index, string name, ushort flags = NetlinkHeaders.NLM_F_MULTI)
        => seq => Message(RtnetlinkHeaders.RTM_NEWLINK, flags, seq, ScriptedTransport.OurPortId, (ref NetlinkMessageWriter w) =>
        {
            new IfInfoMsg(0, 1, index, IfLinkHeaders.IFF_UP, 0).WriteTo(w.Reserve(IfInfoMsg.Size));
            w.WriteString(IfLinkHeaders.IFLA_IFNAME, name);
            w.WriteUInt32(IfLinkHeaders.IFLA_MTU, 1500);
        });
}
