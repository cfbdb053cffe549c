using Tmds.Linux;

namespace CniV6.Linux;

/// <summary>
/// One of the process's standard descriptors (0 or 1) as a <see cref="Stream"/> with plain read(2) and write(2):
/// none of System.Console's set-up (its streams, writers, encodings and terminal probing), which a process that lives
/// a few milliseconds pays on every start. Disposing it leaves the descriptor open: it belongs to the process.
/// </summary>
public sealed class StandardStream : Stream
{
    private readonly int _fd;
    private readonly bool _input;

    private StandardStream(int fd, bool input)
    {
        _fd = fd;
        _input = input;
    }

    /// <summary>Descriptor 0, for reading.</summary>
    public static StandardStream Input() => new(0, input: true);

    /// <summary>Descriptor 1, for writing.</summary>
    public static StandardStream Output() => new(1, input: false);

    /// <summary>
    /// True when descriptor 0 is a terminal or another character device (a person started the process by hand, or
    /// stdin is /dev/null): there is nothing worth waiting for on it. Runtimes hand over a pipe.
    /// </summary>
    public static unsafe bool InputIsCharacterDevice()
    {
        stat st;
        return LibC.fstat(0, &st) == 0 && ((uint)st.st_mode & (uint)LibC.S_IFMT) == (uint)LibC.S_IFCHR;
    }

    public override bool CanRead => _input;

    public override bool CanWrite => !_input;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override unsafe int Read(Span<byte> buffer)
    {
        if (!_input)
        {
            throw new NotSupportedException("standard output is not read");
        }

        fixed (byte* p = buffer)
        {
            while (true)
            {
                long n = LibC.read(_fd, p, buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }

                if (LibC.errno != Errno.EINTR)
                {
                    throw LinuxException.FromLastError("read(stdin)");
                }
            }
        }
    }

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        if (_input)
        {
            throw new NotSupportedException("standard input is not written");
        }

        fixed (byte* p = buffer)
        {
            int written = 0;
            while (written < buffer.Length)
            {
                long n = LibC.write(_fd, p + written, buffer.Length - written);
                if (n >= 0)
                {
                    written += (int)n;
                }
                else if (LibC.errno != Errno.EINTR)
                {
                    throw LinuxException.FromLastError("write(stdout)");
                }
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
        // Nothing is buffered: every Write is a write(2).
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
