using System.Runtime.InteropServices;

namespace CniV6.Linux.Interop;

internal static partial class NativeMethods
{
    // ioctl with a pointer argument (struct ifreq for SIOC* requests); own binding so the SafeFd is ref-counted.
    [LibraryImport(LibC, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int Ioctl(SafeFd fd, nuint request, void* argument);
}
