using CniV6.Netlink.Kernel;

namespace CniV6.Netlink;

/// <summary>
/// Walks the messages of one received datagram. Every nlmsg_len is checked against what is left before
/// slicing; a message that claims more (or less than a header) ends in <see cref="NetlinkDecodeException"/>.
/// </summary>
internal ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> remaining;

    internal NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        remaining = datagram;
    }

    internal bool TryRead(out NetlinkMessage message)
    {
        if (remaining.IsEmpty)
        {
            message = default;
            return false;
        }

        if (remaining.Length < NetlinkHeaders.NLMSG_HDRLEN)
        {
            throw new NetlinkDecodeException($"{remaining.Length} trailing bytes are too short for a netlink header");
        }

        uint length = HostByteOrder.ReadUInt32(remaining);
        if (length < NetlinkHeaders.NLMSG_HDRLEN || length > (uint)remaining.Length)
        {
            throw new NetlinkDecodeException($"nlmsg_len {length} does not fit the {remaining.Length} bytes left");
        }

        message = new NetlinkMessage(
            HostByteOrder.ReadUInt16(remaining[4..]),
            HostByteOrder.ReadUInt16(remaining[6..]),
            HostByteOrder.ReadUInt32(remaining[8..]),
            HostByteOrder.ReadUInt32(remaining[12..]),
            remaining[NetlinkHeaders.NLMSG_HDRLEN..(int)length]);

        int next = NetlinkHeaders.Align((int)length);
        remaining = next >= remaining.Length ? [] : remaining[next..];
        return true;
    }
}
