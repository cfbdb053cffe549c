using System.Runtime.InteropServices;

namespace CniV6.Linux.Interop;

internal static partial class NativeMethods
{
    // sys/file.h; Tmds.LibC has no flock binding.
    internal const int LOCK_EX = 2;
    internal const int LOCK_NB = 4;

    [LibraryImport(LibC, EntryPoint = "flock", SetLastError = true)]
    internal static partial int Flock(SafeFd fd, int operation);
}
