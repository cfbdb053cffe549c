using System.Text;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace CniV6.Plugin.Logging;

/// <summary>
/// A file opened with O_APPEND and written with write(2). Concurrent plugin processes share one log file:
/// with O_APPEND the kernel moves each write to the end of the file atomically, so lines never overwrite each
/// other. (<see cref="FileStream"/> in append mode seeks once and then writes at its own offset, which loses lines
/// when two processes append at the same time.)
/// </summary>
internal sealed class AppendOnlyFile : IDisposable
{
    private const int EINTR = 4;

    private readonly SafeFileHandle handle;

    private AppendOnlyFile(SafeFileHandle handle, string path)
    {
        this.handle = handle;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens or creates <paramref name="path"/> (created with <paramref name="mode"/>; a symlink is not followed).</summary>
    /// <exception cref="IOException">open(2) failed; the message carries the errno.</exception>
    public static unsafe AppendOnlyFile Open(string path, UnixFileMode mode)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        fixed (byte* p = bytes)
        {
            while (true)
            {
                int fd = LibC.open(p, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND | LibC.O_CLOEXEC | LibC.O_NOFOLLOW, (ushort)mode);
                if (fd >= 0)
                {
                    return new AppendOnlyFile(new SafeFileHandle(fd, ownsHandle: true), path);
                }

                var errno = LibC.errno;
                if (errno != EINTR)
                {
                    throw new IOException($"open {path}: errno {errno}", errno);
                }
            }
        }
    }

    /// <summary>Appends <paramref name="data"/>; one write(2) unless the kernel splits it (not for lines this short).</summary>
    public unsafe void Write(ReadOnlySpan<byte> data)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            fixed (byte* p = data)
            {
                var written = 0;
                while (written < data.Length)
                {
                    long n = LibC.write(fd, p + written, data.Length - written);
                    if (n < 0)
                    {
                        var errno = LibC.errno;
                        if (errno == EINTR)
                        {
                            continue;
                        }

                        throw new IOException($"write {Path}: errno {errno}", errno);
                    }

                    written += (int)n;
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    public void Dispose() => handle.Dispose();
}
