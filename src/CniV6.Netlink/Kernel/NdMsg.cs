namespace CniV6.Netlink.Kernel;

/// <summary>
/// struct ndmsg (linux/neighbour.h): u8 ndm_family, u8 pad1, u16 pad2, s32 ndm_ifindex, u16 ndm_state,
/// u8 ndm_flags, u8 ndm_type.
/// </summary>
internal readonly record struct NdMsg(byte Family, int Index, ushort State, byte Flags, byte Type)
{
    internal const int Size = 12;

    internal void WriteTo(Span<byte> destination)
    {
        destination[..4].Clear();
        destination[0] = Family;
        HostByteOrder.WriteInt32(destination[4..], Index);
        HostByteOrder.WriteUInt16(destination[8..], State);
        destination[10] = Flags;
        destination[11] = Type;
    }

    internal static NdMsg Read(ReadOnlySpan<byte> source)
    {
        NetlinkDecodeException.ThrowIfShorter(source, Size, "ndmsg");
        return new NdMsg(source[0], HostByteOrder.ReadInt32(source[4..]), HostByteOrder.ReadUInt16(source[8..]), source[10], source[11]);
    }
}
