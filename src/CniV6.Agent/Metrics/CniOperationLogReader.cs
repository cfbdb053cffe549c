using CniV6.Core.Metrics;
using CniV6.Linux;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace CniV6.Agent.Metrics;

/// <summary>
/// Reads the records the plugin appends to <see cref="CniOperationLog"/> and hands those of this agent's network (and
/// those without a network: VERSION, invocations refused before the configuration was read) to a sink. The file is
/// distrusted: it must be a regular file (no symlink followed, no FIFO or device opened) owned by this process' user
/// and not writable by others; a record that does not decode is counted and skipped; no more than
/// <see cref="MaxBytesPerDrain"/> is read in one drain (a file grown far past what the plugin writes is skipped to its
/// end). Reading starts at the end of the file the agent first finds (operations before it started are not its to
/// count — a restart would count them again) and from the start of every file after a rotation; the rotated file is
/// read to its end first.
/// </summary>
internal sealed partial class CniOperationLogReader(string path, string networkName, Action<CniOperationRecord> sink, Action<int> rejected, ILogger logger) : IDisposable
{
    /// <summary>Four times the rotation size: more than that between two drains was not written by the plugin.</summary>
    internal const long MaxBytesPerDrain = 4 * CniOperationLog.RotateAtBytes;

    private readonly ulong _network = CniOperationRecord.HashNetwork(networkName);
    private readonly Lock _lock = new();
    private readonly byte[] _buffer = new byte[64 * CniOperationRecord.Size * 16];
    private SafeFileHandle? _file;
    private ulong _device;
    private ulong _inode;
    private long _offset;
    private bool _seenAny;
    private string? _lastProblem;

    /// <summary>Reads what was appended since the last drain; never throws (a problem is logged once while it lasts).</summary>
    public void Drain()
    {
        lock (_lock)
        {
            try
            {
                // Two rounds at most: the file that was rotated away, then its successor from its start.
                for (var round = 0; round < 2; round++)
                {
                    if (_file is null && !Open())
                    {
                        break;
                    }

                    var rotated = !PosixFile.TryStat(path, followSymlinks: false, out var now) || now.Device != _device || now.Inode != _inode;
                    ReadToEnd();
                    if (!rotated)
                    {
                        break;
                    }

                    Close();
                }

                _lastProblem = null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Close();
                Problem(e.Message);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            Close();
        }
    }

    private bool Open()
    {
        var fd = PosixFile.TryOpenRegularFile(path, PosixOpenFlags.ReadOnly);
        if (fd is null)
        {
            _seenAny = true; // a file created from now on holds only operations after the agent started
            return false;
        }

        FileStatus status;
        try
        {
            status = PosixFile.Fstat(fd, path);
            if (status.Owner != ProcessIdentity.EffectiveUserId || status.IsWritableByOthers)
            {
                Problem($"{path} is not owned by uid {ProcessIdentity.EffectiveUserId} or is writable by others; not read");
                fd.Dispose();
                return false;
            }
        }
        catch
        {
            fd.Dispose();
            throw;
        }

        _file = new SafeFileHandle(fd.DangerousGetHandle(), ownsHandle: true);
        fd.SetHandleAsInvalid();
        _device = status.Device;
        _inode = status.Inode;
        _offset = _seenAny ? 0 : status.Size - (status.Size % CniOperationRecord.Size);
        _seenAny = true;
        return true;
    }

    private void ReadToEnd()
    {
        var length = RandomAccess.GetLength(_file!);
        if (length - _offset > MaxBytesPerDrain)
        {
            var skipTo = length - (length % CniOperationRecord.Size);
            rejected((int)Math.Min(int.MaxValue, (skipTo - _offset) / CniOperationRecord.Size));
            Problem($"{path} grew by {length - _offset} bytes since the last read, more than the plugin writes; skipped to its end");
            _offset = skipTo;
            return;
        }

        // Bounded even while writers keep appending: the rest waits for the next drain.
        for (long budget = MaxBytesPerDrain; budget > 0;)
        {
            var read = RandomAccess.Read(_file!, _buffer, _offset);
            var whole = read - (read % CniOperationRecord.Size);
            if (whole == 0)
            {
                return; // end of file, or a partial record that is not (yet) whole
            }

            var bad = 0;
            for (var at = 0; at < whole; at += CniOperationRecord.Size)
            {
                if (!CniOperationRecord.TryDecode(_buffer.AsSpan(at, CniOperationRecord.Size), out var record, out _))
                {
                    bad++;
                }
                else if (record.NetworkHash == _network || record.NetworkHash == 0)
                {
                    sink(record);
                }
            }

            if (bad > 0)
            {
                rejected(bad);
            }

            _offset += whole;
            budget -= whole;
        }
    }

    private void Close()
    {
        _file?.Dispose();
        _file = null;
    }

    private void Problem(string problem)
    {
        if (problem != _lastProblem)
        {
            LogProblem(problem);
            _lastProblem = problem;
        }
    }

    [LoggerMessage(EventId = 910, Level = LogLevel.Warning, Message = "CNI operation metrics: {Problem}")]
    private partial void LogProblem(string problem);
}
