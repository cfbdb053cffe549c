namespace CniV6.Netlink.Kernel;

/// <summary>Neighbour attributes and states of linux/neighbour.h.</summary>
internal static class NeighbourHeaders
{
    internal const ushort NDA_DST = 1;
    internal const ushort NDA_LLADDR = 2;

    internal const ushort NUD_INCOMPLETE = 0x01;
    internal const ushort NUD_REACHABLE = 0x02;
    internal const ushort NUD_STALE = 0x04;
    internal const ushort NUD_PERMANENT = 0x80;
}
