using CniV6.Netlink.Kernel;

namespace CniV6.Netlink;

/// <summary>
/// The payload of an NLMSG_ERROR message (struct nlmsgerr): errno 0 is an acknowledgement. With NETLINK_EXT_ACK
/// the kernel appends NLMSGERR_ATTR_* attributes after the echoed request header (flag NLM_F_ACK_TLVS).
/// </summary>
internal readonly record struct NetlinkError(int Errno, string? ExtendedAck)
{
    internal static NetlinkError Parse(NetlinkMessage message)
    {
        ReadOnlySpan<byte> payload = message.Payload;
        NetlinkDecodeException.ThrowIfShorter(payload, 4, "nlmsgerr");
        int errno = -HostByteOrder.ReadInt32(payload);
        if ((message.Flags & NetlinkHeaders.NLM_F_ACK_TLVS) == 0 || payload.Length < 4 + NetlinkHeaders.NLMSG_HDRLEN)
        {
            return new NetlinkError(errno, null);
        }

        // The echoed request: its header only when capped, else the whole request (whose length is not trusted).
        long echoed = NetlinkHeaders.NLMSG_HDRLEN;
        if ((message.Flags & NetlinkHeaders.NLM_F_CAPPED) == 0)
        {
            echoed = (HostByteOrder.ReadUInt32(payload[4..]) + 3L) & ~3L;
        }

        return new NetlinkError(errno, ReadExtendedAck(payload, 4 + echoed));
    }

    /// <summary>The error code carried by NLMSG_DONE (0, or a negative errno when the dump failed part-way).</summary>
    internal static NetlinkError ParseDone(NetlinkMessage message)
    {
        ReadOnlySpan<byte> payload = message.Payload;
        if (payload.Length < 4)
        {
            return new NetlinkError(0, null);
        }

        int errno = -HostByteOrder.ReadInt32(payload);
        string? text = (message.Flags & NetlinkHeaders.NLM_F_ACK_TLVS) != 0 ? ReadExtendedAck(payload, 4) : null;
        return new NetlinkError(errno, text);
    }

    private static string? ReadExtendedAck(ReadOnlySpan<byte> payload, long offset)
    {
        if (offset >= payload.Length)
        {
            return null;
        }

        try
        {
            var attributes = new NetlinkAttributeReader(payload[(int)offset..]);
            while (attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
            {
                if (type == NetlinkHeaders.NLMSGERR_ATTR_MSG)
                {
                    return NetlinkAttributeReader.ReadString(value);
                }
            }
        }
        catch (NetlinkDecodeException)
        {
            // The errno is what matters; a garbled explanation is dropped rather than hiding it.
        }

        return null;
    }
}
