namespace CniV6.Netlink.Kernel;

/// <summary>Neighbour attributes, flags and states of linux/neighbour.h (bridge FDB entries use the same messages).</summary>
internal static class NeighbourHeaders
{
    internal const ushort NDA_DST = 1;
    internal const ushort NDA_LLADDR = 2;
    internal const ushort NDA_CACHEINFO = 3;
    internal const ushort NDA_PORT = 6;
    internal const ushort NDA_VNI = 7;
    internal const ushort NDA_IFINDEX = 8;
    internal const ushort NDA_MASTER = 9;

    // ndm_flags.
    internal const byte NTF_USE = 0x01;
    internal const byte NTF_SELF = 0x02;
    internal const byte NTF_MASTER = 0x04;

    internal const ushort NUD_INCOMPLETE = 0x01;
    internal const ushort NUD_REACHABLE = 0x02;
    internal const ushort NUD_STALE = 0x04;
    internal const ushort NUD_DELAY = 0x08;
    internal const ushort NUD_PROBE = 0x10;
    internal const ushort NUD_FAILED = 0x20;
    internal const ushort NUD_NOARP = 0x40;
    internal const ushort NUD_PERMANENT = 0x80;
}
