namespace CniV6.Netlink.Kernel;

/// <summary>Constants of linux/netlink.h, named as the kernel names them.</summary>
internal static class NetlinkHeaders
{
    internal const int AF_NETLINK = 16;
    internal const int NETLINK_ROUTE = 0;
    internal const int SOL_NETLINK = 270;

    // Socket options (SOL_NETLINK).
    internal const int NETLINK_CAP_ACK = 10;
    internal const int NETLINK_EXT_ACK = 11;

    /// <summary>sizeof(struct nlmsghdr): u32 len, u16 type, u16 flags, u32 seq, u32 pid.</summary>
    internal const int NLMSG_HDRLEN = 16;

    /// <summary>sizeof(struct nlattr): u16 len, u16 type.</summary>
    internal const int NLA_HDRLEN = 4;

    /// <summary>sizeof(struct sockaddr_nl): u16 family, u16 pad, u32 pid, u32 groups.</summary>
    internal const int SOCKADDR_NL_SIZE = 12;

    internal const int NLMSG_ALIGNTO = 4;
    internal const int NLA_ALIGNTO = 4;

    // Message types below NLMSG_MIN_TYPE are control messages.
    internal const ushort NLMSG_NOOP = 1;
    internal const ushort NLMSG_ERROR = 2;
    internal const ushort NLMSG_DONE = 3;
    internal const ushort NLMSG_OVERRUN = 4;
    internal const ushort NLMSG_MIN_TYPE = 0x10;

    // nlmsg_flags.
    internal const ushort NLM_F_REQUEST = 0x01;
    internal const ushort NLM_F_MULTI = 0x02;
    internal const ushort NLM_F_ACK = 0x04;
    internal const ushort NLM_F_ECHO = 0x08;
    internal const ushort NLM_F_DUMP_INTR = 0x10;

    // Modifiers to GET requests.
    internal const ushort NLM_F_ROOT = 0x100;
    internal const ushort NLM_F_MATCH = 0x200;
    internal const ushort NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;

    // Modifiers to NEW requests.
    internal const ushort NLM_F_REPLACE = 0x100;
    internal const ushort NLM_F_EXCL = 0x200;
    internal const ushort NLM_F_CREATE = 0x400;

    // Flags of an NLMSG_ERROR (acknowledgement) message.
    internal const ushort NLM_F_CAPPED = 0x100;
    internal const ushort NLM_F_ACK_TLVS = 0x200;

    // enum nlmsgerr_attrs: extended ack attributes after the echoed request.
    internal const ushort NLMSGERR_ATTR_MSG = 1;
    internal const ushort NLMSGERR_ATTR_OFFS = 2;

    // nla_type bits that are not part of the type.
    internal const ushort NLA_F_NESTED = 0x8000;
    internal const ushort NLA_F_NET_BYTEORDER = 0x4000;
    internal const ushort NLA_TYPE_MASK = unchecked((ushort)~(NLA_F_NESTED | NLA_F_NET_BYTEORDER));

    internal static int Align(int length) => (length + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
}
