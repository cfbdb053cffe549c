using Tmds.Linux;

namespace CniV6.Linux;

/// <summary>
/// Directories created with exactly the mode asked for (mkdir applies the umask; a fchmod on the new directory
/// does not), existing ones checked for being real directories, and fsync of a directory's entries.
/// </summary>
public static class PosixDirectory
{
    /// <summary>
    /// Creates <paramref name="path"/> with exactly <paramref name="mode"/>, or checks that what is there is a
    /// directory and not a symlink. An existing directory keeps its mode: changing the mode of a directory this
    /// call did not create is the caller's decision.
    /// </summary>
    /// <returns>True when this call created the directory.</returns>
    /// <exception cref="UnexpectedFileTypeException">The path is a symlink or not a directory.</exception>
    public static bool Ensure(string path, UnixFileMode mode)
    {
        bool created = TryMkdir(path, mode);
        using SafeFd fd = Open(path);
        if (created)
        {
            PosixFile.SetMode(fd, mode, path);
        }

        return created;
    }

    /// <summary>
    /// Creates every missing directory of <paramref name="path"/>, each with exactly <paramref name="mode"/> (like
    /// <c>mkdir -p -m</c>). Existing components may be symlinks to directories (<c>/var/run</c> is one): only what
    /// this call creates is new, and that is never a symlink.
    /// </summary>
    public static void EnsureTree(string path, UnixFileMode mode)
    {
        string full = Path.GetFullPath(path);
        if (PosixFile.TryStat(full, followSymlinks: true, out FileStatus status))
        {
            if (status.Type != PosixFileType.Directory)
            {
                throw new UnexpectedFileTypeException(full, PosixFileType.Directory, status.Type);
            }

            return;
        }

        string? parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(full));
        if (parent is not null)
        {
            EnsureTree(parent, mode);
        }

        Ensure(full, mode);
    }

    /// <summary>Opens a directory (O_DIRECTORY, not through a symlink) for fstat, fchmod or fsync.</summary>
    /// <exception cref="UnexpectedFileTypeException">The path is a symlink or not a directory.</exception>
    public static SafeFd Open(string path)
    {
        SafeFd? fd = PosixFile.TryOpen(path, PosixOpenFlags.ReadOnly | PosixOpenFlags.Directory, default, out _, out int errno);
        if (fd is not null)
        {
            return fd;
        }

        // ELOOP: a symlink (O_NOFOLLOW); ENOTDIR: something else. Name which, rather than the errno's text.
        if (errno is Errno.ELOOP or Errno.ENOTDIR
            && PosixFile.TryStat(path, followSymlinks: false, out FileStatus status)
            && status.Type != PosixFileType.Directory)
        {
            throw new UnexpectedFileTypeException(path, PosixFileType.Directory, status.Type);
        }

        throw PosixErrors.ToException("open", errno, path);
    }

    /// <summary>fsync(2) of the directory, so that entries created, renamed or removed in it survive a crash.</summary>
    public static void Fsync(string path)
    {
        using SafeFd fd = Open(path);
        PosixFile.Fsync(fd, path);
    }

    private static unsafe bool TryMkdir(string path, UnixFileMode mode)
    {
        byte[] bytes = PosixFile.NullTerminatedUtf8(path);
        fixed (byte* p = bytes)
        {
            if (LibC.mkdir(p, PosixFile.ModeBits(mode)) == 0)
            {
                return true;
            }

            int errno = LibC.errno;
            return errno == Errno.EEXIST ? false : throw PosixErrors.ToException("mkdir", errno, path);
        }
    }
}
