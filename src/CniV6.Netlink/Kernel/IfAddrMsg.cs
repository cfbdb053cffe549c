namespace CniV6.Netlink.Kernel;

/// <summary>
/// struct ifaddrmsg (linux/if_addr.h): u8 ifa_family, u8 ifa_prefixlen, u8 ifa_flags, u8 ifa_scope, u32 ifa_index.
/// </summary>
internal readonly record struct IfAddrMsg(byte Family, byte PrefixLength, byte Flags, byte Scope, int Index)
{
    internal const int Size = 8;

    internal void WriteTo(Span<byte> destination)
    {
        destination[0] = Family;
        destination[1] = PrefixLength;
        destination[2] = Flags;
        destination[3] = Scope;
        HostByteOrder.WriteInt32(destination[4..], Index);
    }

    internal static IfAddrMsg Read(ReadOnlySpan<byte> source)
    {
        NetlinkDecodeException.ThrowIfShorter(source, Size, "ifaddrmsg");
        return new IfAddrMsg(source[0], source[1], source[2], source[3], HostByteOrder.ReadInt32(source[4..]));
    }
}
