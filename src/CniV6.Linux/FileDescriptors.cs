using System.Text;
using Tmds.Linux;

namespace CniV6.Linux;

/// <summary>open(2), read(2) and write(2) on <see cref="SafeFd"/>s with errno turned into <see cref="LinuxException"/>.</summary>
internal static class FileDescriptors
{
    /// <summary>Opens <paramref name="path"/>; returns the fd or throws with the path in the message.</summary>
    internal static SafeFd Open(string path, int flags, ushort mode = 0)
    {
        SafeFd? fd = TryOpen(path, flags, mode, out int errno);
        return fd ?? throw new LinuxException("open", errno, path);
    }

    /// <summary>Opens <paramref name="path"/>; on failure returns null and the errno.</summary>
    internal static unsafe SafeFd? TryOpen(string path, int flags, ushort mode, out int errno)
    {
        byte[] pathBytes = NullTerminatedUtf8(path);
        fixed (byte* p = pathBytes)
        {
            while (true)
            {
                int fd = LibC.open(p, flags, mode);
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

    /// <summary>Reads until end of file (files under /proc are small).</summary>
    internal static unsafe byte[] ReadToEnd(SafeFd fd, string pathForErrors)
    {
        using var lease = fd.Lease();
        byte[] buffer = new byte[4096];
        int total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
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

                throw new LinuxException("read", errno, pathForErrors);
            }

            if (n == 0)
            {
                return buffer.AsSpan(0, total).ToArray();
            }

            total += (int)n;
        }
    }

    /// <summary>Writes all of <paramref name="data"/> (a sysctl value must arrive in one write to be taken as a whole).</summary>
    internal static unsafe void WriteAll(SafeFd fd, ReadOnlySpan<byte> data, string pathForErrors)
    {
        using var lease = fd.Lease();
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

                    throw new LinuxException("write", errno, pathForErrors);
                }

                written += (int)n;
            }
        }
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
}
