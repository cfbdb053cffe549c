namespace CniV6.Netlink.Kernel;

/// <summary>
/// struct rtmsg (linux/rtnetlink.h): u8 rtm_family, u8 rtm_dst_len, u8 rtm_src_len, u8 rtm_tos, u8 rtm_table,
/// u8 rtm_protocol, u8 rtm_scope, u8 rtm_type, u32 rtm_flags.
/// </summary>
internal readonly record struct RtMsg(
    byte Family, byte DestinationLength, byte SourceLength, byte Tos, byte Table, byte Protocol, byte Scope, byte Type, uint Flags)
{
    internal const int Size = 12;

    internal void WriteTo(Span<byte> destination)
    {
        destination[0] = Family;
        destination[1] = DestinationLength;
        destination[2] = SourceLength;
        destination[3] = Tos;
        destination[4] = Table;
        destination[5] = Protocol;
        destination[6] = Scope;
        destination[7] = Type;
        HostByteOrder.WriteUInt32(destination[8..], Flags);
    }

    internal static RtMsg Read(ReadOnlySpan<byte> source)
    {
        NetlinkDecodeException.ThrowIfShorter(source, Size, "rtmsg");
        return new RtMsg(source[0], source[1], source[2], source[3], source[4], source[5], source[6], source[7],
            HostByteOrder.ReadUInt32(source[8..]));
    }
}
