using System.Runtime.InteropServices;

namespace CniV6.Netlink.Kernel;

/// <summary>struct timeval (sys/time.h): two C longs; Tmds.LibC does not define it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timeval
{
    internal nint tv_sec;
    internal nint tv_usec;
}
