namespace CniV6.Netlink.Kernel;

/// <summary>Message types and route constants of linux/rtnetlink.h.</summary>
internal static class RtnetlinkHeaders
{
    internal const ushort RTM_NEWLINK = 16;
    internal const ushort RTM_DELLINK = 17;
    internal const ushort RTM_GETLINK = 18;
    internal const ushort RTM_SETLINK = 19;
    internal const ushort RTM_NEWADDR = 20;
    internal const ushort RTM_DELADDR = 21;
    internal const ushort RTM_GETADDR = 22;
    internal const ushort RTM_NEWROUTE = 24;
    internal const ushort RTM_DELROUTE = 25;
    internal const ushort RTM_GETROUTE = 26;
    internal const ushort RTM_NEWNEIGH = 28;
    internal const ushort RTM_DELNEIGH = 29;
    internal const ushort RTM_GETNEIGH = 30;

    // rtm_type.
    internal const byte RTN_UNSPEC = 0;
    internal const byte RTN_UNICAST = 1;

    // rtm_scope beyond the public RouteScope values: wildcard for deletions.
    internal const byte RT_SCOPE_NOWHERE = 255;

    // rtm_flags: the low byte carries the next hop's RTNH_F_* flags.
    internal const uint RTNH_F_ONLINK = 0x4;
    internal const uint RTM_F_CLONED = 0x200;

    /// <summary>RTM_GETROUTE: answer with the matching FIB entry, not the result of a route lookup (Linux 4.13).</summary>
    internal const uint RTM_F_FIB_MATCH = 0x2000;

    // enum rtattr_type_t.
    internal const ushort RTA_DST = 1;
    internal const ushort RTA_SRC = 2;
    internal const ushort RTA_IIF = 3;
    internal const ushort RTA_OIF = 4;
    internal const ushort RTA_GATEWAY = 5;
    internal const ushort RTA_PRIORITY = 6;
    internal const ushort RTA_PREFSRC = 7;
    internal const ushort RTA_MULTIPATH = 9;
    internal const ushort RTA_TABLE = 15;

    /// <summary>sizeof(struct rtnexthop): u16 len, u8 flags, u8 hops, s32 ifindex.</summary>
    internal const int RTNH_SIZE = 8;

    // IFLA_EXT_MASK bits.
    internal const uint RTEXT_FILTER_SKIP_STATS = 1 << 3;
}
