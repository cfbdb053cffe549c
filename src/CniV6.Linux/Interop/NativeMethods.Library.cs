namespace CniV6.Linux.Interop;

internal static partial class NativeMethods
{
    /// <summary>
    /// glibc by its soname. A bare "libc" makes the runtime probe dozens of paths (libc.so is a linker script, so
    /// it goes on to try liblibc.so everywhere), which cost ~7 ms of every plugin start.
    /// </summary>
    private const string LibC = "libc.so.6";
}
