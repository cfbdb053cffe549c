using CniV6.Netlink.Kernel;

namespace CniV6.Netlink;

/// <summary>
/// Walks the messages of one received datagram. Every nlmsg_len is checked against what is left before
/// slicing; a message that claims more (or less than a header) ends in <see cref="NetlinkDecodeException"/>.
/// </summary>
internal ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _remaining;

    internal NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        _remaining = datagram;
    }

    internal bool TryRead(out NetlinkMessage message)
    {
        if (_remaining.IsEmpty)
        {
            message = default;
            return false;
        }

        if (_remaining.Length < NetlinkHeaders.NLMSG_HDRLEN)
        {
            throw new NetlinkDecodeException($"{_remaining.Length} trailing bytes are too short for a netlink header");
        }

        uint length = HostByteOrder.ReadUInt32(_remaining);
        if (length < NetlinkHeaders.NLMSG_HDRLEN || length > (uint)_remaining.Length)
        {
            throw new NetlinkDecodeException($"nlmsg_len {length} does not fit the {_remaining.Length} bytes left");
        }

        message = new NetlinkMessage(
            HostByteOrder.ReadUInt16(_remaining[4..]),
            HostByteOrder.ReadUInt16(_remaining[6..]),
            HostByteOrder.ReadUInt32(_remaining[8..]),
            HostByteOrder.ReadUInt32(_remaining[12..]),
            _remaining[NetlinkHeaders.NLMSG_HDRLEN..(int)length]);

        int next = NetlinkHeaders.Align((int)length);
        _remaining = next >= _remaining.Length ? [] : _remaining[next..];
        return true;
    }
}
