using System.Text;

namespace CniV6.Linux;

/// <summary>
/// Reads and writes /proc/sys. The kernel resolves /proc/sys/net entries in the network namespace of the
/// thread that opens them, so these calls act on the calling thread's namespace (use them inside
/// <see cref="NetNamespace.Run{T}(string, Func{T})"/> for a pod's namespace).
/// </summary>
public static class Sysctl
{
    private const string Root = "/proc/sys/";

    /// <summary>The value of <paramref name="key"/> (e.g. <c>net/ipv6/conf/eth0/accept_dad</c>) without the trailing newline, or null when the key does not exist.</summary>
    public static string? Read(string key)
    {
        string path = PathOf(key);
        SafeFd? fd = PosixFile.TryOpen(path, PosixOpenFlags.ReadOnly, default, out _, out int errno);
        if (fd is null)
        {
            return errno is Errno.ENOENT or Errno.ENOTDIR ? null : throw PosixErrors.ToException("open", errno, path);
        }

        using (fd)
        {
            return Encoding.UTF8.GetString(PosixFile.ReadToEnd(fd, path)).TrimEnd('\n');
        }
    }

    /// <summary>Writes <paramref name="value"/> to <paramref name="key"/>; throws <see cref="LinuxException"/> when the key is missing or the kernel rejects the value.</summary>
    public static void Write(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string path = PathOf(key);
        // A missing key is ENOENT from open, a value the kernel refuses is EINVAL from write: both the raw
        // LinuxException, since to a sysctl caller they are answers about the key rather than file errors.
        SafeFd fd = PosixFile.TryOpen(path, PosixOpenFlags.WriteOnly, default, out _, out int errno)
            ?? throw new LinuxException("open", errno, path);
        using (fd)
        {
            PosixFile.WriteAll(fd, Encoding.UTF8.GetBytes(value), path);
        }
    }

    /// <summary>Like <see cref="Write"/> but returns false instead of throwing when the kernel refuses.</summary>
    public static bool TryWrite(string key, string value)
    {
        try
        {
            Write(key, value);
            return true;
        }
        catch (LinuxException)
        {
            return false;
        }
    }

    internal static string PathOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key[0] == '/' || key.Contains('\0', StringComparison.Ordinal) ||
            key.Split('/').Any(part => part.Length == 0 || part == "." || part == ".."))
        {
            throw new ArgumentException($"invalid sysctl key '{key}'", nameof(key));
        }

        return Root + key;
    }
}
