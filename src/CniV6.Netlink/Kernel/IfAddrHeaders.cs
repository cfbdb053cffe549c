namespace CniV6.Netlink.Kernel;

/// <summary>Address attributes and flags of linux/if_addr.h.</summary>
internal static class IfAddrHeaders
{
    internal const ushort IFA_ADDRESS = 1;
    internal const ushort IFA_LOCAL = 2;
    internal const ushort IFA_LABEL = 3;
    internal const ushort IFA_BROADCAST = 4;
    internal const ushort IFA_CACHEINFO = 6;
    internal const ushort IFA_FLAGS = 8;

    internal const uint IFA_F_SECONDARY = 0x01;
    internal const uint IFA_F_NODAD = 0x02;
    internal const uint IFA_F_OPTIMISTIC = 0x04;
    internal const uint IFA_F_DADFAILED = 0x08;
    internal const uint IFA_F_HOMEADDRESS = 0x10;
    internal const uint IFA_F_DEPRECATED = 0x20;
    internal const uint IFA_F_TENTATIVE = 0x40;
    internal const uint IFA_F_PERMANENT = 0x80;
}
