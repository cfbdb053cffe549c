namespace CniV6.Netlink.Kernel;

/// <summary>
/// struct ifinfomsg (linux/rtnetlink.h): u8 ifi_family, u8 pad, u16 ifi_type, s32 ifi_index,
/// u32 ifi_flags, u32 ifi_change.
/// </summary>
internal readonly record struct IfInfoMsg(byte Family, ushort Type, int Index, uint Flags, uint Change)
{
    internal const int Size = 16;

    internal void WriteTo(Span<byte> destination)
    {
        destination[..Size].Clear();
        destination[0] = Family;
        HostByteOrder.WriteUInt16(destination[2..], Type);
        HostByteOrder.WriteInt32(destination[4..], Index);
        HostByteOrder.WriteUInt32(destination[8..], Flags);
        HostByteOrder.WriteUInt32(destination[12..], Change);
    }

    internal static IfInfoMsg Read(ReadOnlySpan<byte> source)
    {
        NetlinkDecodeException.ThrowIfShorter(source, Size, "ifinfomsg");
        return new IfInfoMsg(
            source[0],
            HostByteOrder.ReadUInt16(source[2..]),
            HostByteOrder.ReadInt32(source[4..]),
            HostByteOrder.ReadUInt32(source[8..]),
            HostByteOrder.ReadUInt32(source[12..]));
    }
}
