using System.Runtime.InteropServices;

namespace CniV6.Linux;

/// <summary>
/// A failed libc call: the call's name, its errno and the errno's text. An <see cref="IOException"/>, so callers
/// that treat "the system refused" as one case catch it with the BCL's own file errors; see
/// <see cref="PosixErrors"/> for which errno becomes which exception.
/// </summary>
public sealed class LinuxException : IOException
{
    public LinuxException(string callName, int errno, string? detail = null)
        : base(FormatMessage(callName, errno, detail))
    {
        CallName = callName;
        Errno = errno;
    }

    public string CallName { get; }

    public int Errno { get; }

    /// <summary>Builds the exception from the errno left by the P/Invoke that just returned.</summary>
    internal static LinuxException FromLastError(string callName, string? detail = null)
        => new(callName, Marshal.GetLastPInvokeError(), detail);

    private static string FormatMessage(string callName, int errno, string? detail)
    {
        string text = Marshal.GetPInvokeErrorMessage(errno);
        return detail is null
            ? $"{callName} failed: {text} (errno {errno})"
            : $"{callName} {detail} failed: {text} (errno {errno})";
    }
}
