using System.Runtime.InteropServices;

namespace CniV6.Linux.Interop;

internal static partial class NativeMethods
{
    // Own binding (Tmds.LibC takes an int) so the SafeFd stays ref-counted during the call.
    [LibraryImport(LibC, EntryPoint = "setns", SetLastError = true)]
    internal static partial int Setns(SafeFd fd, int nstype);
}
