namespace CniV6.Netlink.Kernel;

/// <summary>Link attributes of linux/if_link.h (including the vxlan ones), linux/veth.h and the IFF_* flags of linux/if.h.</summary>
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
    internal const ushort IFLA_AF_SPEC = 26;

    // Inside IFLA_AF_SPEC / AF_INET (linux/if_link.h, linux/ip.h): the IPv4 per-device settings, one u32 each,
    // typed by their 1-based IPV4_DEVCONF_* index (what /proc/sys/net/ipv4/conf/DEV/* shows).
    internal const ushort IFLA_INET_CONF = 1;
    internal const ushort IPV4_DEVCONF_PROXY_ARP = 3;

    // Nested in IFLA_LINKINFO.
    internal const ushort IFLA_INFO_KIND = 1;
    internal const ushort IFLA_INFO_DATA = 2;

    // Nested in IFLA_INFO_DATA of kind "veth"; its payload is a struct ifinfomsg followed by IFLA_* attributes.
    internal const ushort VETH_INFO_PEER = 1;

    // Nested in IFLA_INFO_DATA of kind "vxlan" (enum in linux/if_link.h). Addresses are in network order, the
    // port is a __be16, flags are u8 booleans.
    internal const ushort IFLA_VXLAN_ID = 1;
    internal const ushort IFLA_VXLAN_GROUP = 2;
    internal const ushort IFLA_VXLAN_LINK = 3;
    internal const ushort IFLA_VXLAN_LOCAL = 4;
    internal const ushort IFLA_VXLAN_TTL = 5;
    internal const ushort IFLA_VXLAN_LEARNING = 7;
    internal const ushort IFLA_VXLAN_PORT = 15;
    internal const ushort IFLA_VXLAN_GROUP6 = 16;
    internal const ushort IFLA_VXLAN_LOCAL6 = 17;
    internal const ushort IFLA_VXLAN_UDP_CSUM = 18;
    internal const ushort IFLA_VXLAN_UDP_ZERO_CSUM6_TX = 19;
    internal const ushort IFLA_VXLAN_UDP_ZERO_CSUM6_RX = 20;

    internal const uint IFF_UP = 0x1;

    /// <summary>IFNAMSIZ including the terminating NUL.</summary>
    internal const int IFNAMSIZ = 16;

    /// <summary>IFALIASZ including the terminating NUL.</summary>
    internal const int IFALIASZ = 256;
}
