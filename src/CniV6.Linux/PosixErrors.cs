namespace CniV6.Linux;

/// <summary>
/// The one place where an errno from a file operation becomes an exception (as dotnet/runtime's
/// Interop.IOErrors does): ENOENT → <see cref="FileNotFoundException"/>, ENOTDIR →
/// <see cref="DirectoryNotFoundException"/>, EACCES/EPERM → <see cref="UnauthorizedAccessException"/>,
/// ENAMETOOLONG → <see cref="PathTooLongException"/>, anything else → <see cref="LinuxException"/>. Every one
/// names the call and the path, and carries the errno and its text (the <see cref="LinuxException"/> itself or
/// as the inner exception), so <see cref="ErrnoOf"/> recovers it.
/// </summary>
public static class PosixErrors
{
    public static Exception ToException(string callName, int errno, string path)
    {
        var cause = new LinuxException(callName, errno, path);
        return errno switch
        {
            Errno.ENOENT => new FileNotFoundException(cause.Message, path, cause),
            Errno.ENOTDIR => new DirectoryNotFoundException(cause.Message, cause),
            Errno.EACCES or Errno.EPERM => new UnauthorizedAccessException(cause.Message, cause),
            Errno.ENAMETOOLONG => new PathTooLongException(cause.Message, cause),
            _ => cause,
        };
    }

    /// <summary>The errno behind an exception from <see cref="ToException"/> (or any <see cref="LinuxException"/>); null for others.</summary>
    public static int? ErrnoOf(Exception exception) => exception switch
    {
        LinuxException linux => linux.Errno,
        { InnerException: LinuxException linux } => linux.Errno,
        _ => null,
    };
}
