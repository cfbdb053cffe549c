using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CniV6.Core.Ipam;

/// <summary>
/// File primitives for a store only root may read: directories 0700, files 0600, symbolic links never
/// followed (O_NOFOLLOW at open, lstat for directories), and crash-safe replacement of a file.
/// </summary>
internal static unsafe class PrivateStoreFiles
{
    public const int DirectoryMode = 0x1C0; // 0700
    public const int FileMode = 0x180; // 0600

    /// <summary>Creates the directory (0700) or checks the existing one is a real directory and tightens its mode.</summary>
    public static void EnsurePrivateDirectory(string path)
    {
        byte[] pathBytes = NulTerminated(path);
        fixed (byte* p = pathBytes)
        {
            if (mkdir(p, (mode_t)DirectoryMode) != 0 && errno != EEXIST)
            {
                throw new IOException($"mkdir({path}) failed: {Strerror(errno)}");
            }

            stat st;
            if (lstat(p, &st) != 0)
            {
                throw new IOException($"lstat({path}) failed: {Strerror(errno)}");
            }

            if ((st.st_mode & S_IFMT) == S_IFLNK)
            {
                throw new IpamStoreCorruptException(path, "is a symbolic link; refusing to follow it");
            }

            if ((st.st_mode & S_IFMT) != S_IFDIR)
            {
                throw new IpamStoreCorruptException(path, "exists and is not a directory");
            }

            // mkdir applies the umask, and an existing directory may have been created wider.
            if ((st.st_mode & 0x1FF) != DirectoryMode && chmod(p, (mode_t)DirectoryMode) != 0)
            {
                throw new IOException($"chmod({path}) failed: {Strerror(errno)}");
            }
        }
    }

    /// <summary>Reads a whole file without following a symbolic link; null when it does not exist.</summary>
    public static byte[]? ReadNoFollow(string path)
    {
        int fd = OpenRaw(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd < 0)
        {
            int error = errno;
            if (error == ENOENT)
            {
                return null;
            }

            throw error == ELOOP
                ? new IpamStoreCorruptException(path, "is a symbolic link; refusing to follow it")
                : new IOException($"open({path}) failed: {Strerror(error)}", error);
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        stat st;
        if (fstat(fd, &st) != 0)
        {
            throw new IOException($"fstat({path}) failed: {Strerror(errno)}");
        }

        if ((st.st_mode & S_IFMT) != S_IFREG)
        {
            throw new IpamStoreCorruptException(path, "is not a regular file");
        }

        if ((st.st_mode & 0x1FF) != FileMode && fchmod(fd, FileMode) != 0)
        {
            throw new IOException($"fchmod({path}) failed: {Strerror(errno)}");
        }

        using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>
    /// Replaces <paramref name="fileName"/> in <paramref name="directory"/> so that after a crash it holds
    /// either the old or the new content: write a temporary file in the same directory, fsync it, rename it
    /// over the target, fsync the directory so the rename itself is durable. The caller holds the store
    /// lock, so a fixed temporary name cannot collide with another writer.
    /// </summary>
    public static void ReplaceAtomically(string directory, string fileName, ReadOnlySpan<byte> content)
    {
        string target = Path.Combine(directory, fileName);
        string temporary = Path.Combine(directory, "." + fileName + ".tmp");

        // A leftover from a crash: unlink removes a symbolic link itself, never its target.
        if (Unlink(temporary) is int unlinkError && unlinkError != 0 && unlinkError != ENOENT)
        {
            throw new IOException($"unlink({temporary}) failed: {Strerror(unlinkError)}");
        }

        int fd = OpenRaw(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, FileMode);
        if (fd < 0)
        {
            throw new IOException($"open({temporary}) failed: {Strerror(errno)}");
        }

        try
        {
            using (var handle = new SafeFileHandle(fd, ownsHandle: true))
            {
                // O_CREAT applies the umask; set the mode explicitly.
                if (fchmod(fd, FileMode) != 0)
                {
                    throw new IOException($"fchmod({temporary}) failed: {Strerror(errno)}");
                }

                using var stream = new FileStream(handle, FileAccess.Write, bufferSize: 0);
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            // rename(2) replaces the target atomically; a symbolic link at the target is replaced, not followed.
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            // A full or failing file system: leave the directory as it was, not with a half-written temporary.
            Unlink(temporary);
            throw;
        }

        FsyncDirectory(directory);
    }

    private static void FsyncDirectory(string directory)
    {
        int fd = OpenRaw(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IOException($"open({directory}) failed: {Strerror(errno)}");
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (fsync(fd) != 0)
        {
            throw new IOException($"fsync({directory}) failed: {Strerror(errno)}");
        }
    }

    private static int OpenRaw(string path, int flags, int mode)
    {
        byte[] pathBytes = NulTerminated(path);
        fixed (byte* p = pathBytes)
        {
            return open(p, flags, (mode_t)mode);
        }
    }

    private static int Unlink(string path)
    {
        byte[] pathBytes = NulTerminated(path);
        fixed (byte* p = pathBytes)
        {
            return unlink(p) == 0 ? 0 : errno;
        }
    }

    private static byte[] NulTerminated(string path)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    private static string Strerror(int error) => Marshal.GetPInvokeErrorMessage(error);
}
