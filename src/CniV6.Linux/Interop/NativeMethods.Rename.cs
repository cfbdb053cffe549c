using System.Runtime.InteropServices;

namespace CniV6.Linux.Interop;

internal static partial class NativeMethods
{
    // stdio.h; Tmds.LibC has no rename binding. Paths are NUL-terminated UTF-8.
    [LibraryImport(LibC, EntryPoint = "rename", SetLastError = true)]
    internal static partial int Rename(byte[] oldPath, byte[] newPath);
}
