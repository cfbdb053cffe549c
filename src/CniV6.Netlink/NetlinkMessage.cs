namespace CniV6.Netlink;

/// <summary>One decoded netlink message: its header fields and the payload after the nlmsghdr.</summary>
internal readonly ref struct NetlinkMessage
{
    internal NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
    }

    internal ushort Type { get; }

    internal ushort Flags { get; }

    internal uint Sequence { get; }

    internal uint PortId { get; }

    internal ReadOnlySpan<byte> Payload { get; }
}
