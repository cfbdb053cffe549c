using CniV6.Linux;

namespace CniV6.Core.Metrics;

/// <summary>
/// The file through which the plugin hands its invocations to the agent's metrics: each invocation appends one
/// <see cref="CniOperationRecord"/> with a single O_APPEND write(2) (atomic for 32 bytes on a local file system), and
/// the agent reads what was added since its last look. Cheap on the plugin's path: open, fstat, write, close — no
/// lock, no directory created (no /run/cniv6 yet means no agent to read it: nothing is written). Bounded: at
/// <see cref="RotateAtBytes"/> the writer renames the file to <c>.1</c> (replacing the previous one) and starts a new
/// one, so the two files never hold much more than twice that. Recording never fails an invocation.
/// </summary>
public static class CniOperationLog
{
    /// <summary>On the /run tmpfs next to the attachment locks and NAT markers (the DaemonSet mounts /run/cniv6).</summary>
    public const string DefaultPath = "/run/cniv6/cni-operations";

    /// <summary>8192 records: minutes of churn even on a busy node, read by the agent every few seconds.</summary>
    public const long RotateAtBytes = 256 * 1024;

    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Appends <paramref name="record"/> to the log at <paramref name="path"/>; false when it could not (never throws).</summary>
    public static bool TryAppend(string path, in CniOperationRecord record)
    {
        try
        {
            Span<byte> bytes = stackalloc byte[CniOperationRecord.Size];
            record.Encode(bytes);
            var flags = PosixOpenFlags.WriteOnly | PosixOpenFlags.Append | PosixOpenFlags.NonBlocking;
            using var fd = PosixFile.TryOpen(path, flags, default, out _, out var errno)
                ?? (errno == Errno.ENOENT ? PosixFile.TryOpen(path, flags | PosixOpenFlags.Create, FileMode, out _, out _) : null);
            if (fd is null)
            {
                return false;
            }

            // O_NOFOLLOW refused a symlink; a FIFO, device or directory someone put there is never written to.
            var status = PosixFile.Fstat(fd, path);
            if (status.Type != PosixFileType.RegularFile)
            {
                return false;
            }

            PosixFile.WriteAll(fd, bytes, path);
            if (status.Size + CniOperationRecord.Size >= RotateAtBytes)
            {
                // Two writers may both rotate; the second then moves the first's fresh file aside and a few records
                // are lost to the reader — never counted twice, and the files stay bounded.
                PosixFile.Rename(path, path + ".1");
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UnexpectedFileTypeException)
        {
            return false;
        }
    }
}
