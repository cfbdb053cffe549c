using CniV6.Linux.Interop;

namespace CniV6.Linux;

/// <summary>
/// An exclusive flock(2) on a regular file, held until <see cref="Dispose"/>. The kernel drops it when the process
/// dies, so a crashed plugin never leaves a stale lock behind. A lock is on an inode, not on a name: when the file is
/// unlinked (by hand, or by a holder that deletes it) while another process waits, the waiter would lock the orphaned
/// inode while a newcomer creates and locks a new file under the same name, and both would "hold the lock". So after
/// every flock the path is checked to still name the locked inode; if it does not, the lock is dropped and taken again.
/// </summary>
public sealed class FileLock : IDisposable
{
    private const UnixFileMode LockFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    private readonly SafeFd _fd;
    private readonly FileStatus _locked;

    private FileLock(SafeFd fd, string path, FileStatus locked)
    {
        _fd = fd;
        Path = path;
        _locked = locked;
    }

    public string Path { get; }

    /// <summary>
    /// Opens (creating with mode 0600; never following a symlink) and locks <paramref name="path"/>.
    /// </summary>
    /// <exception cref="TimeoutException">Another holder kept the lock for longer than <paramref name="timeout"/>.</exception>
    /// <exception cref="UnexpectedFileTypeException">The path is a symlink, FIFO, device, socket or directory.</exception>
    public static FileLock Acquire(string path, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        long deadline = timeout == Timeout.InfiniteTimeSpan
            ? long.MaxValue
            : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            FileLock? held = TryAcquireOnce(path, out bool busy);
            if (held is not null)
            {
                return held;
            }

            long remaining = deadline - Environment.TickCount64;
            if (remaining <= 0 && busy)
            {
                throw new TimeoutException($"could not lock {path} within {timeout.TotalSeconds:0.###} s");
            }

            // Polling with LOCK_NB instead of a blocking flock: a blocking call cannot be given a deadline.
            // A lock file replaced under us (not busy) is retried at once.
            if (busy)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(1, Math.Min(remaining, PollInterval.TotalMilliseconds))));
            }
        }
    }

    /// <summary>The lock if nobody holds it right now; null when another holder has it (never waits).</summary>
    /// <exception cref="UnexpectedFileTypeException">The path is a symlink, FIFO, device, socket or directory.</exception>
    public static FileLock? TryAcquire(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        while (true)
        {
            FileLock? held = TryAcquireOnce(path, out bool busy);
            if (held is not null || busy)
            {
                return held;
            }
        }
    }

    /// <summary>
    /// Removes the lock file while the lock is held (the lock stays held until <see cref="Dispose"/>); a waiter that
    /// then locks the removed inode notices and locks the next file instead. Does nothing when the path already names
    /// another file.
    /// </summary>
    public void DeleteFile()
    {
        if (PosixFile.TryStat(Path, followSymlinks: false, out FileStatus current)
            && current.Device == _locked.Device && current.Inode == _locked.Inode)
        {
            PosixFile.Unlink(Path);
        }
    }

    /// <summary>Releases the lock by closing the file (the file itself stays for the next holder).</summary>
    public void Dispose() => _fd.Dispose();

    /// <summary>One attempt: the lock, or null with <paramref name="busy"/> true (held elsewhere) or false (file replaced; retry).</summary>
    private static FileLock? TryAcquireOnce(string path, out bool busy)
    {
        busy = false;
        SafeFd fd = PosixFile.OpenRegularFile(path, PosixOpenFlags.ReadWrite | PosixOpenFlags.Create, LockFileMode);
        try
        {
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

                busy = true;
                fd.Dispose();
                return null;
            }

            FileStatus locked = PosixFile.Fstat(fd, path);
            if (!PosixFile.TryStat(path, followSymlinks: false, out FileStatus named)
                || named.Device != locked.Device || named.Inode != locked.Inode)
            {
                // The file was unlinked (or replaced) after we opened it: this lock protects nothing.
                fd.Dispose();
                return null;
            }

            return new FileLock(fd, path, locked);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }
}
