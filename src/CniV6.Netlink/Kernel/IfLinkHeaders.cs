namespace CniV6.Netlink.Kernel;

/// <summary>Link attributes of linux/if_link.h, linux/veth.h and the IFF_* flags of linux/if.h.</summary>
internal static class IfLinkHeaders
{
    internal const ushort IFLA_ADDRESS = 1;
    internal const ushort IFLA_BROADCAST = 2;
    internal const ushort IFLA_IFNAME = 3;
    internal const ushort IFLA_MTU = 4;
    internal const ushort IFLA_LINK = 5;
    internal const ushort IFLA_LINKINFO = 18;
    internal const ushort IFLA_NET_NS_PID = 19;
    internal const ushort IFLA_IFALIAS = 20;
    internal const ushort IFLA_EXT_MASK = 29;
    internal const ushort IFLA_NET_NS_FD = 28;
    internal const ushort IFLA_LINK_NETNSID = 37;

    // Nested in IFLA_LINKINFO.
    internal const ushort IFLA_INFO_KIND = 1;
    internal const ushort IFLA_INFO_DATA = 2;

    // Nested in IFLA_INFO_DATA of kind "veth"; its payload is a struct ifinfomsg followed by IFLA_* attributes.
    internal const ushort VETH_INFO_PEER = 1;

    internal const uint IFF_UP = 0x1;

    /// <summary>IFNAMSIZ including the terminating NUL.</summary>
    internal const int IFNAMSIZ = 16;

    /// <summary>IFALIASZ including the terminating NUL.</summary>
    internal const int IFALIASZ = 256;
}
