using System.Text;
using Tmds.Linux;

namespace CniV6.Linux;

/// <summary>
/// File operations on <see cref="SafeFd"/>s for code running as root on paths others may share: symlinks are not
/// followed unless asked for, descriptors are close-on-exec, created files get exactly the mode asked for whatever
/// the umask, and every errno becomes an exception through <see cref="PosixErrors"/> with the path in it.
/// </summary>
public static class PosixFile
{
    /// <summary>Opens <paramref name="path"/>; with <see cref="PosixOpenFlags.Create"/> a new file gets exactly <paramref name="mode"/>.</summary>
    public static SafeFd Open(string path, PosixOpenFlags flags, UnixFileMode mode = default) =>
        Open(path, flags, mode, out _);

    /// <inheritdoc cref="Open(string, PosixOpenFlags, UnixFileMode)"/>
    /// <param name="path">The file.</param>
    /// <param name="flags">How to open it.</param>
    /// <param name="mode">The mode of a file this call creates (an existing file keeps its own).</param>
    /// <param name="created">True when this call created the file.</param>
    public static SafeFd Open(string path, PosixOpenFlags flags, UnixFileMode mode, out bool created)
    {
        SafeFd? fd = TryOpen(path, flags, mode, out created, out int errno);
        return fd ?? throw PosixErrors.ToException("open", errno, path);
    }

    /// <summary>
    /// Opens <paramref name="path"/>; on failure returns null and the errno, for callers to whom some errno is an
    /// answer rather than an error (ENOENT for "not there").
    /// </summary>
    public static SafeFd? TryOpen(string path, PosixOpenFlags flags, UnixFileMode mode, out bool created, out int errno)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        created = false;
        if ((flags & PosixOpenFlags.Create) == 0)
        {
            return RawOpen(path, NativeFlags(flags), 0, out errno);
        }

        // O_CREAT applies the umask to the mode. To give a new file exactly its mode, and to leave the mode of an
        // existing file alone, create with O_EXCL (so we know the file is ours) and fchmod it; if it exists,
        // open it without O_CREAT. A file removed in between is created on the next round.
        for (int attempt = 0; ; attempt++)
        {
            SafeFd? fd = RawOpen(path, NativeFlags(flags | PosixOpenFlags.Exclusive), ModeBits(mode), out errno);
            if (fd is not null)
            {
                try
                {
                    SetMode(fd, mode, path);
                }
                catch
                {
                    fd.Dispose();
                    _ = TryUnlink(path, out _);
                    throw;
                }

                created = true;
                return fd;
            }

            if (errno != Errno.EEXIST || (flags & PosixOpenFlags.Exclusive) != 0)
            {
                return null;
            }

            fd = RawOpen(path, NativeFlags(flags & ~PosixOpenFlags.Create), 0, out errno);
            if (fd is not null || errno != Errno.ENOENT || attempt == 3)
            {
                return fd;
            }
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> and checks it is a regular file; a symlink, FIFO, device, socket or directory
    /// is an <see cref="UnexpectedFileTypeException"/> at once. The open never blocks on a FIFO (O_NONBLOCK, which
    /// has no effect on a regular file).
    /// </summary>
    /// <exception cref="UnexpectedFileTypeException">The path is not a regular file.</exception>
    public static SafeFd OpenRegularFile(string path, PosixOpenFlags flags, UnixFileMode mode = default) =>
        TryOpenRegularFile(path, flags, mode) ?? throw PosixErrors.ToException("open", Errno.ENOENT, path);

    /// <summary>Like <see cref="OpenRegularFile"/>, but null when the path does not exist.</summary>
    /// <exception cref="UnexpectedFileTypeException">The path is not a regular file.</exception>
    public static SafeFd? TryOpenRegularFile(string path, PosixOpenFlags flags, UnixFileMode mode = default)
    {
        SafeFd? fd = TryOpen(path, flags | PosixOpenFlags.NonBlocking, mode, out _, out int errno);
        if (fd is null)
        {
            if (errno == Errno.ENOENT)
            {
                return null;
            }

            // ELOOP: the path is a symlink (O_NOFOLLOW); ENXIO: a FIFO without a reader or a device without a driver.
            if (errno is Errno.ELOOP or Errno.ENXIO or Errno.EISDIR
                && TryStat(path, followSymlinks: false, out FileStatus status)
                && status.Type != PosixFileType.RegularFile)
            {
                throw new UnexpectedFileTypeException(path, PosixFileType.RegularFile, status.Type);
            }

            throw PosixErrors.ToException("open", errno, path);
        }

        try
        {
            EnsureType(fd, path, PosixFileType.RegularFile);
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>fstat(2).</summary>
    public static unsafe FileStatus Fstat(SafeFd fd, string pathForErrors)
    {
        using SafeFd.FdLease lease = fd.Lease();
        stat st;
        if (LibC.fstat(lease.Fd, &st) != 0)
        {
            throw PosixErrors.ToException("fstat", LibC.errno, pathForErrors);
        }

        return StatusOf(st);
    }

    /// <summary>stat(2) (<paramref name="followSymlinks"/>) or lstat(2).</summary>
    public static FileStatus Stat(string path, bool followSymlinks) =>
        TryStat(path, followSymlinks, out FileStatus status, out int errno) ? status : throw PosixErrors.ToException(followSymlinks ? "stat" : "lstat", errno, path);

    /// <summary>stat(2) or lstat(2); false when the path cannot be examined (missing, not permitted, …).</summary>
    public static bool TryStat(string path, bool followSymlinks, out FileStatus status) =>
        TryStat(path, followSymlinks, out status, out _);

    /// <summary>Throws <see cref="UnexpectedFileTypeException"/> unless <paramref name="fd"/> is a <paramref name="expected"/>.</summary>
    public static FileStatus EnsureType(SafeFd fd, string path, PosixFileType expected)
    {
        FileStatus status = Fstat(fd, path);
        return status.Type == expected ? status : throw new UnexpectedFileTypeException(path, expected, status.Type);
    }

    /// <summary>fchmod(2): exactly <paramref name="mode"/>, which the umask never touches.</summary>
    public static void SetMode(SafeFd fd, UnixFileMode mode, string pathForErrors)
    {
        using SafeFd.FdLease lease = fd.Lease();
        if (LibC.fchmod(lease.Fd, ModeBits(mode)) != 0)
        {
            throw PosixErrors.ToException("fchmod", LibC.errno, pathForErrors);
        }
    }

    /// <summary>fsync(2): the file's data and metadata reach the disk (for a directory: its entries).</summary>
    public static void Fsync(SafeFd fd, string pathForErrors)
    {
        using SafeFd.FdLease lease = fd.Lease();
        while (LibC.fsync(lease.Fd) != 0)
        {
            int errno = LibC.errno;
            if (errno != Errno.EINTR)
            {
                throw PosixErrors.ToException("fsync", errno, pathForErrors);
            }
        }
    }

    /// <summary>Removes the name (a symlink itself, never its target); false when there was none.</summary>
    public static bool Unlink(string path)
    {
        if (TryUnlink(path, out int errno))
        {
            return true;
        }

        return errno == Errno.ENOENT ? false : throw PosixErrors.ToException("unlink", errno, path);
    }

    /// <summary>rename(2): atomically replaces <paramref name="to"/> (a symlink there is replaced, not followed).</summary>
    public static void Rename(string from, string to)
    {
        byte[] fromBytes = NullTerminatedUtf8(from);
        byte[] toBytes = NullTerminatedUtf8(to);
        if (Interop.NativeMethods.Rename(fromBytes, toBytes) != 0)
        {
            throw PosixErrors.ToException("rename", System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), $"{from} to {to}");
        }
    }

    /// <summary>Reads until end of file; more than <paramref name="maxBytes"/> is an <see cref="IOException"/>.</summary>
    public static unsafe byte[] ReadToEnd(SafeFd fd, string pathForErrors, int maxBytes = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        using SafeFd.FdLease lease = fd.Lease();
        byte[] buffer = new byte[Math.Min(4096, maxBytes)];
        int total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (total >= maxBytes)
                {
                    // One more byte tells "exactly the limit" from "over it".
                    byte probe;
                    long extra = LibC.read(lease.Fd, &probe, 1);
                    if (extra == 0)
                    {
                        return buffer;
                    }

                    throw new IOException($"{pathForErrors} is larger than {maxBytes} bytes");
                }

                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxBytes));
            }

            long n;
            fixed (byte* p = &buffer[total])
            {
                n = LibC.read(lease.Fd, p, buffer.Length - total);
            }

            if (n < 0)
            {
                int errno = LibC.errno;
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                throw PosixErrors.ToException("read", errno, pathForErrors);
            }

            if (n == 0)
            {
                return buffer.AsSpan(0, total).ToArray();
            }

            total += (int)n;
        }
    }

    /// <summary>Writes all of <paramref name="data"/>, in one write(2) unless the kernel splits it (a sysctl value must arrive whole; an O_APPEND log line must not interleave).</summary>
    public static unsafe void WriteAll(SafeFd fd, ReadOnlySpan<byte> data, string pathForErrors)
    {
        using SafeFd.FdLease lease = fd.Lease();
        fixed (byte* p = data)
        {
            int written = 0;
            while (written < data.Length)
            {
                long n = LibC.write(lease.Fd, p + written, data.Length - written);
                if (n < 0)
                {
                    int errno = LibC.errno;
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }

                    throw PosixErrors.ToException("write", errno, pathForErrors);
                }

                written += (int)n;
            }
        }
    }

    internal static unsafe bool TryUnlink(string path, out int errno)
    {
        byte[] bytes = NullTerminatedUtf8(path);
        fixed (byte* p = bytes)
        {
            if (LibC.unlink(p) == 0)
            {
                errno = 0;
                return true;
            }

            errno = LibC.errno;
            return false;
        }
    }

    internal static unsafe bool TryStat(string path, bool followSymlinks, out FileStatus status, out int errno)
    {
        byte[] bytes = NullTerminatedUtf8(path);
        stat st;
        fixed (byte* p = bytes)
        {
            if ((followSymlinks ? LibC.stat(p, &st) : LibC.lstat(p, &st)) != 0)
            {
                errno = LibC.errno;
                status = default;
                return false;
            }
        }

        errno = 0;
        status = StatusOf(st);
        return true;
    }

    internal static unsafe SafeFd? RawOpen(string path, int nativeFlags, ushort mode, out int errno)
    {
        byte[] pathBytes = NullTerminatedUtf8(path);
        fixed (byte* p = pathBytes)
        {
            while (true)
            {
                int fd = LibC.open(p, nativeFlags, mode);
                if (fd >= 0)
                {
                    errno = 0;
                    return new SafeFd(fd);
                }

                errno = LibC.errno;
                if (errno != Errno.EINTR)
                {
                    return null;
                }
            }
        }
    }

    internal static int NativeFlags(PosixOpenFlags flags)
    {
        int native = LibC.O_CLOEXEC | LibC.O_NOCTTY;
        native |= (flags & (PosixOpenFlags.WriteOnly | PosixOpenFlags.ReadWrite)) switch
        {
            PosixOpenFlags.WriteOnly => LibC.O_WRONLY,
            PosixOpenFlags.ReadWrite => LibC.O_RDWR,
            PosixOpenFlags.ReadOnly => LibC.O_RDONLY,
            _ => throw new ArgumentException("WriteOnly and ReadWrite exclude each other", nameof(flags)),
        };
        native |= flags.HasFlag(PosixOpenFlags.FollowSymlinks) ? 0 : LibC.O_NOFOLLOW;
        native |= flags.HasFlag(PosixOpenFlags.Create) ? LibC.O_CREAT : 0;
        native |= flags.HasFlag(PosixOpenFlags.Exclusive) ? LibC.O_EXCL : 0;
        native |= flags.HasFlag(PosixOpenFlags.Truncate) ? LibC.O_TRUNC : 0;
        native |= flags.HasFlag(PosixOpenFlags.Append) ? LibC.O_APPEND : 0;
        native |= flags.HasFlag(PosixOpenFlags.Directory) ? LibC.O_DIRECTORY : 0;
        native |= flags.HasFlag(PosixOpenFlags.NonBlocking) ? LibC.O_NONBLOCK : 0;
        return native;
    }

    internal static ushort ModeBits(UnixFileMode mode)
    {
        if (((int)mode & ~0xFFF) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "only permission, set-id and sticky bits");
        }

        return (ushort)mode;
    }

    internal static byte[] NullTerminatedUtf8(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("path contains a NUL character", nameof(value));
        }

        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    private static FileStatus StatusOf(in stat st)
    {
        uint mode = (uint)st.st_mode;
        uint format = mode & (uint)LibC.S_IFMT;
        PosixFileType type = format switch
        {
            _ when format == (uint)LibC.S_IFREG => PosixFileType.RegularFile,
            _ when format == (uint)LibC.S_IFDIR => PosixFileType.Directory,
            _ when format == (uint)LibC.S_IFLNK => PosixFileType.SymbolicLink,
            _ when format == (uint)LibC.S_IFIFO => PosixFileType.Fifo,
            _ when format == (uint)LibC.S_IFCHR => PosixFileType.CharacterDevice,
            _ when format == (uint)LibC.S_IFBLK => PosixFileType.BlockDevice,
            _ when format == (uint)LibC.S_IFSOCK => PosixFileType.Socket,
            _ => PosixFileType.Unknown,
        };
        return new FileStatus(type, (UnixFileMode)(mode & 0xFFF), st.st_size, st.st_dev, st.st_ino) { Owner = (uint)st.st_uid };
    }
}
