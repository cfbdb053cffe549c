using CniV6.Linux;

namespace CniV6.Plugin.Logging;

/// <summary>
/// The plugin's log file, capped in size: before a line would take it past <c>maxBytes</c> the file becomes
/// <c>&lt;file&gt;.1</c> (each older <c>.n</c> moves to <c>.n+1</c>, the one past <c>maxFiles</c> is deleted) and a
/// new file is started. Many plugin processes append at once, so:
/// <list type="bullet">
/// <item>every line is one <c>write</c> on an O_APPEND descriptor (the kernel appends it whole, at the end);</item>
/// <item>rotation runs under an flock on <c>&lt;file&gt;.lock</c>, and the holder first checks that the name still
/// names its own file — if another process rotated meanwhile it only reopens the name;</item>
/// <item>a rename never loses a line: a process still holding the old file writes its next line into
/// <c>&lt;file&gt;.1</c>, whose size (over the cap) then sends it to reopen the name.</item>
/// </list>
/// The fast path costs one fstat per line. Rotation that cannot be done (lock busy for a second, a renamed file in
/// the way) never fails the plugin: the line is written to the current file, over the cap.
/// </summary>
internal sealed class RotatingLogFile : IDisposable
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Rotation takes a few renames; a holder slower than this is stuck, and waiting longer would stall pods.</summary>
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(1);

    private readonly long _maxBytes;
    private readonly int _maxFiles;
    private SafeFd? _fd;
    private bool _rotationFailed;

    /// <param name="path">The log file; a symlink, FIFO, device or directory there is refused, never followed.</param>
    /// <param name="maxBytes">Size cap; 0 = never rotate.</param>
    /// <param name="maxFiles">Rotated files kept (at least 1).</param>
    public RotatingLogFile(string path, long maxBytes, int maxFiles)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFiles, 1);
        Path = path;
        _maxBytes = maxBytes;
        _maxFiles = maxFiles;
    }

    public string Path { get; }

    /// <summary>The name of the <paramref name="generation"/>-th rotated file (1 = the newest).</summary>
    public static string RotatedName(string path, int generation) => $"{path}.{generation}";

    /// <summary>Appends one whole line, rotating first when it would not fit under the cap.</summary>
    /// <exception cref="IOException">The file cannot be opened or written (the caller turns logging off).</exception>
    public void Append(ReadOnlySpan<byte> line)
    {
        _fd ??= Open(Path);
        if (_maxBytes > 0 && !_rotationFailed)
        {
            var size = PosixFile.Fstat(_fd, Path).Size;
            if (size > 0 && size + line.Length > _maxBytes)
            {
                RotateOrReopen(line.Length);
            }
        }

        PosixFile.WriteAll(_fd, line, Path);
    }

    public void Dispose()
    {
        _fd?.Dispose();
        _fd = null;
    }

    private void RotateOrReopen(int lineLength)
    {
        try
        {
            using var rotation = FileLock.Acquire($"{Path}.lock", LockTimeout);

            // Another process may have rotated while this one wrote or waited: then our descriptor is <file>.1 (or
            // older) and the name is a fresh file, which may already have room for the line.
            var mine = PosixFile.Fstat(_fd!, Path);
            if (!PosixFile.TryStat(Path, followSymlinks: false, out var named) || named.Inode != mine.Inode || named.Device != mine.Device)
            {
                Reopen();
                var size = PosixFile.Fstat(_fd!, Path).Size;
                if (size == 0 || size + lineLength <= _maxBytes)
                {
                    return;
                }
            }

            ShiftRotatedFiles();
            PosixFile.Rename(Path, RotatedName(Path, 1));
            Reopen();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
        {
            // Something in the way (a directory named cniv6.log.3, a read-only directory, a stuck holder): keep
            // appending to the file we have rather than lose lines or fail the command.
            _rotationFailed = true;
        }
    }

    /// <summary><c>.N</c> is deleted, then <c>.N-1</c> … <c>.1</c> move up by one (rename never follows a symlink).</summary>
    private void ShiftRotatedFiles()
    {
        PosixFile.Unlink(RotatedName(Path, _maxFiles));
        for (var generation = _maxFiles - 1; generation >= 1; generation--)
        {
            var from = RotatedName(Path, generation);
            if (PosixFile.TryStat(from, followSymlinks: false, out _))
            {
                PosixFile.Rename(from, RotatedName(Path, generation + 1));
            }
        }
    }

    /// <summary>Opens the name afresh; the old descriptor is kept if the new open fails.</summary>
    private void Reopen()
    {
        var fresh = Open(Path);
        _fd?.Dispose();
        _fd = fresh;
    }

    private static SafeFd Open(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            PosixDirectory.EnsureTree(directory, DirectoryMode);
        }

        return PosixFile.OpenRegularFile(path, PosixOpenFlags.WriteOnly | PosixOpenFlags.Append | PosixOpenFlags.Create, FilePermissions);
    }
}
