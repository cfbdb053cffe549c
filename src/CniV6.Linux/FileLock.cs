using CniV6.Linux.Interop;

namespace CniV6.Linux;

/// <summary>
/// An exclusive flock(2) on a file, held until <see cref="Dispose"/>. The kernel drops it when the process
/// dies, so a crashed plugin never leaves a stale lock behind.
/// </summary>
public sealed class FileLock : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    private readonly SafeFd _fd;

    private FileLock(SafeFd fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    public string Path { get; }

    /// <summary>
    /// Opens (creating with mode 0600; never following a symlink) and locks <paramref name="path"/>.
    /// </summary>
    /// <exception cref="TimeoutException">Another holder kept the lock for longer than <paramref name="timeout"/>.</exception>
    public static FileLock Acquire(string path, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SafeFd fd = PosixFile.Open(path, PosixOpenFlags.ReadWrite | PosixOpenFlags.Create, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            // Polling with LOCK_NB instead of a blocking flock: a blocking call cannot be given a deadline.
            long deadline = timeout == Timeout.InfiniteTimeSpan
                ? long.MaxValue
                : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (NativeMethods.Flock(fd, NativeMethods.LOCK_EX | NativeMethods.LOCK_NB) != 0)
            {
                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                if (errno != Errno.EWOULDBLOCK)
                {
                    throw new LinuxException("flock", errno, path);
                }

                long remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    throw new TimeoutException($"could not lock {path} within {timeout.TotalSeconds:0.###} s");
                }

                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(remaining, PollInterval.TotalMilliseconds)));
            }

            return new FileLock(fd, path);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Releases the lock by closing the file (the file itself stays for the next holder).</summary>
    public void Dispose() => _fd.Dispose();
}
