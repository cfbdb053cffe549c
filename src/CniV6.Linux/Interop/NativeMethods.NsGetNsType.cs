using System.Runtime.InteropServices;

namespace CniV6.Linux.Interop;

internal static partial class NativeMethods
{
    /// <summary>linux/nsfs.h: NS_GET_NSTYPE = _IO(0xb7, 0x3); returns the CLONE_NEW* type of an nsfs fd.</summary>
    internal const nuint NS_GET_NSTYPE = 0xb703;

    /// <summary>linux/sched.h.</summary>
    internal const int CLONE_NEWNET = 0x40000000;

    // ioctl with no argument; own binding so the SafeFd is ref-counted across the call.
    [LibraryImport(LibC, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(SafeFd fd, nuint request);
}
