using System.Runtime.InteropServices;

namespace CniV6.Netlink.Kernel;

/// <summary>struct sockaddr_nl (linux/netlink.h); Tmds.LibC does not define it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SockaddrNl
{
    internal ushort nl_family;
    internal ushort nl_pad;
    internal uint nl_pid;
    internal uint nl_groups;
}
