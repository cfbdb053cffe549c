namespace CniV6.Linux;

/// <summary>
/// Replaces a file so that readers, and the file after a crash, see either the old or the new content, never a
/// mix: write a temporary file in the same directory, fsync it, rename it over the target, fsync the directory so
/// the rename itself is durable. The new file gets exactly its mode whatever the umask, and nothing is written
/// through a symlink (one at the target is replaced by the rename, not followed).
/// </summary>
public static class AtomicFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/>.</summary>
    /// <param name="path">The file to replace (its directory must exist).</param>
    /// <param name="content">The whole new content.</param>
    /// <param name="mode">The new file's mode.</param>
    /// <param name="temporaryName">
    /// The temporary file's name in the same directory. Null: <c>.NAME.PID.tmp</c>, unique to this process. A caller
    /// that serializes every writer of the file (holding a lock) may pass a fixed name, so a crash's leftover is
    /// found and removed by the next writer.
    /// </param>
    public static void Replace(string path, ReadOnlySpan<byte> content, UnixFileMode mode, string? temporaryName = null) =>
        Replace(path, content, mode, temporaryName, PosixFile.Fsync);

    /// <summary>
    /// Like <see cref="Replace(string, ReadOnlySpan{byte}, UnixFileMode, string?)"/> without either fsync: readers, and
    /// the file after a process crash, still see the old or the new content, never a mix; after an operating-system
    /// crash the file may hold the old content, the new one, or be empty. For state that does not outlive a reboot
    /// anyway, where an fsync (milliseconds, hundreds under disk load) would dominate the operation.
    /// </summary>
    public static void ReplaceUnsynced(string path, ReadOnlySpan<byte> content, UnixFileMode mode, string? temporaryName = null) =>
        Replace(path, content, mode, temporaryName, fsync: null);

    /// <summary>Writes <paramref name="content"/> unless <paramref name="path"/> already holds exactly it (as a regular file); true when written.</summary>
    /// <param name="path">The file to replace.</param>
    /// <param name="content">The whole new content.</param>
    /// <param name="mode">The new file's mode.</param>
    /// <param name="directoryMode">When given, missing directories of <paramref name="path"/> are created with exactly this mode.</param>
    public static bool WriteIfChanged(string path, ReadOnlySpan<byte> content, UnixFileMode mode, UnixFileMode? directoryMode = null)
    {
        if (HasContent(path, content))
        {
            return false;
        }

        if (directoryMode is { } directory)
        {
            PosixDirectory.EnsureTree(Path.GetDirectoryName(Path.GetFullPath(path))!, directory);
        }

        Replace(path, content, mode);
        return true;
    }

    /// <summary>The steps, with the fsync passed in so a test can see which descriptors reach the disk (null: none).</summary>
    internal static void Replace(string path, ReadOnlySpan<byte> content, UnixFileMode mode, string? temporaryName, Action<SafeFd, string>? fsync)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"{path} has no directory", nameof(path));
        string name = Path.GetFileName(full);
        if (temporaryName is not null && (temporaryName.Contains('/', StringComparison.Ordinal) || temporaryName is "" or "." or ".." || temporaryName == name))
        {
            throw new ArgumentException($"invalid temporary file name '{temporaryName}'", nameof(temporaryName));
        }

        string temporary = Path.Combine(directory, temporaryName ?? $".{name}.{Environment.ProcessId}.tmp");

        // A leftover of a crashed writer: unlink removes a symlink itself, never its target.
        _ = PosixFile.Unlink(temporary);
        try
        {
            using (SafeFd fd = PosixFile.Open(temporary, PosixOpenFlags.WriteOnly | PosixOpenFlags.Create | PosixOpenFlags.Exclusive, mode))
            {
                PosixFile.WriteAll(fd, content, temporary);
                fsync?.Invoke(fd, temporary);
            }

            PosixFile.Rename(temporary, full);
        }
        catch
        {
            // A full or failing file system: leave the directory as it was, not with a half-written temporary.
            _ = PosixFile.TryUnlink(temporary, out _);
            throw;
        }

        if (fsync is not null)
        {
            using SafeFd directoryFd = PosixDirectory.Open(directory);
            fsync(directoryFd, directory);
        }
    }

    private static bool HasContent(string path, ReadOnlySpan<byte> content)
    {
        // A plain comparison: hashing would load libcrypto into an otherwise crypto-free process for nothing.
        SafeFd? fd;
        try
        {
            fd = PosixFile.TryOpenRegularFile(path, PosixOpenFlags.ReadOnly);
        }
        catch (UnexpectedFileTypeException)
        {
            // Whatever is there (a symlink, a FIFO) is replaced by the rename, never read.
            return false;
        }

        if (fd is null)
        {
            return false;
        }

        using (fd)
        {
            if (PosixFile.Fstat(fd, path).Size != content.Length)
            {
                return false;
            }

            return content.SequenceEqual(PosixFile.ReadToEnd(fd, path, content.Length + 1));
        }
    }
}
