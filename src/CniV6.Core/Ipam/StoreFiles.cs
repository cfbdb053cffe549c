using CniV6.Linux;

namespace CniV6.Core.Ipam;

/// <summary>How the IPAM store reads its own files and directories without trusting them.</summary>
internal static class StoreFiles
{
    // Only root may read the store: directories 0700, files 0600.
    public const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// The content of a regular file, read without following a symlink; null when it does not exist. A symlink, FIFO
    /// or device, and a file larger than <paramref name="maxBytes"/>, are an <see cref="IpamStoreCorruptException"/>
    /// before anything is read: a huge file (a mistake or an attack) would take minutes and gigabytes with the
    /// store lock held, a FIFO would block for ever.
    /// </summary>
    public static byte[]? ReadIfExists(string path, int maxBytes)
    {
        FilesOpenedOnThisThread++;
        SafeFd? fd;
        try
        {
            fd = PosixFile.TryOpenRegularFile(path, PosixOpenFlags.ReadOnly);
        }
        catch (UnexpectedFileTypeException e)
        {
            throw new IpamStoreCorruptException(path, e.Reason, e);
        }

        if (fd is null)
        {
            return null;
        }

        using (fd)
        {
            long size = PosixFile.Fstat(fd, path).Size;
            if (size > maxBytes)
            {
                throw new IpamStoreCorruptException(path, $"is {size} bytes, more than the {maxBytes} bytes such a file may have");
            }

            try
            {
                return PosixFile.ReadToEnd(fd, path, maxBytes);
            }
            catch (IOException e) when (e is not LinuxException && PosixErrors.ErrnoOf(e) is null)
            {
                // Grew past the limit while being read.
                throw new IpamStoreCorruptException(path, e.Message, e);
            }
        }
    }

    /// <summary>
    /// Creates the directory (exactly 0700), or checks that the existing one is a real directory that only its owner
    /// (root, us) may change. An existing directory's mode is never changed: the plugin cannot tell a store directory
    /// it made earlier from someone else's directory named like the network (dataDir <c>/</c> with a network
    /// <c>usr</c> would otherwise chmod /usr). One that others could plant files in is refused instead.
    /// </summary>
    /// <returns>True when this call created the directory.</returns>
    public static bool EnsurePrivateDirectory(string path)
    {
        try
        {
            if (PosixDirectory.Ensure(path, PrivateDirectoryMode))
            {
                return true;
            }

            using SafeFd fd = PosixDirectory.Open(path);
            FileStatus existing = PosixFile.Fstat(fd, path);
            if (existing.IsWritableByOthers || existing.Owner != ProcessIdentity.EffectiveUserId)
            {
                throw new IpamStoreCorruptException(path,
                    existing.IsWritableByOthers
                        ? "is a directory writable by group or others; refusing to keep IPAM state there (make it 0700 or remove it)"
                        : $"is a directory owned by uid {existing.Owner}, not {ProcessIdentity.EffectiveUserId}; refusing to keep IPAM state there");
            }

            return false;
        }
        catch (UnexpectedFileTypeException e)
        {
            throw new IpamStoreCorruptException(e.Path, e.Reason, e);
        }
    }

    /// <summary>The names in a directory (files of every type; "." and ".." excluded), read with readdir only.</summary>
    public static IEnumerable<string> Names(string directory)
    {
        DirectoriesListedOnThisThread++;
        return Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).OfType<string>();
    }

    /// <summary>Files this thread read through <see cref="ReadIfExists"/>: lets a test prove an operation's cost is a
    /// fixed number of files, whatever the number of allocations (wall time on a shared machine proves nothing).</summary>
    [field: ThreadStatic]
    internal static int FilesOpenedOnThisThread { get; set; }

    /// <summary>Directories this thread listed through <see cref="Names"/> (the only store operation whose cost grows with pods).</summary>
    [field: ThreadStatic]
    internal static int DirectoriesListedOnThisThread { get; set; }
}
