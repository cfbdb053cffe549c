using System.Runtime.ExceptionServices;
using CniV6.Linux.Interop;
using Tmds.Linux;

namespace CniV6.Linux;

/// <summary>
/// Runs work inside a network namespace. setns(2) changes only the calling thread, so the work runs on a
/// thread created for it that ends afterwards: nothing else ever runs on a thread left inside a pod's
/// namespace, and no thread ever needs to switch back (which could fail and leave a poisoned thread).
/// </summary>
public static class NetNamespace
{
    private const string CurrentThreadNetNsPath = "/proc/thread-self/ns/net";

    /// <summary>Runs <paramref name="work"/> inside the network namespace at <paramref name="netnsPath"/>.</summary>
    /// <exception cref="NetNamespaceNotFoundException">The path does not exist.</exception>
    /// <exception cref="NotANetNamespaceException">The path is not a network namespace.</exception>
    public static T Run<T>(string netnsPath, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        using SafeFd netns = Open(netnsPath);
        return RunIn(netns, netnsPath, work);
    }

    /// <inheritdoc cref="Run{T}(string, Func{T})"/>
    public static void Run(string netnsPath, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Run(netnsPath, () =>
        {
            work();
            return true;
        });
    }

    /// <summary>Runs <paramref name="work"/> inside the network namespace <paramref name="netns"/> (an fd from <see cref="Open"/> or <see cref="OpenCurrent"/>).</summary>
    public static T Run<T>(SafeFd netns, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(netns);
        ArgumentNullException.ThrowIfNull(work);
        return RunIn(netns, "fd", work);
    }

    /// <inheritdoc cref="Run{T}(SafeFd, Func{T})"/>
    public static void Run(SafeFd netns, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Run(netns, () =>
        {
            work();
            return true;
        });
    }

    /// <summary>
    /// Opens a network namespace file and checks that it is one.
    /// </summary>
    /// <exception cref="NetNamespaceNotFoundException">The path does not exist.</exception>
    /// <exception cref="NotANetNamespaceException">The path is not a network namespace.</exception>
    public static SafeFd Open(string netnsPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(netnsPath);
        SafeFd? fd = FileDescriptors.TryOpen(netnsPath, LibC.O_RDONLY | LibC.O_CLOEXEC, 0, out int errno);
        if (fd is null)
        {
            throw errno is Errno.ENOENT or Errno.ENOTDIR
                ? new NetNamespaceNotFoundException(netnsPath)
                : new LinuxException("open", errno, netnsPath);
        }

        try
        {
            EnsureNetNamespace(fd, netnsPath);
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>An fd of the calling thread's network namespace.</summary>
    public static SafeFd OpenCurrent() => FileDescriptors.Open(CurrentThreadNetNsPath, LibC.O_RDONLY | LibC.O_CLOEXEC);

    /// <summary>
    /// The calling thread's network namespace cookie (SO_NETNS_COOKIE, Linux 5.14+): unique for the life of the
    /// system and never reused, unlike the inode, which a new namespace gets again once an old one is gone.
    /// Null when the kernel has no cookies.
    /// </summary>
    public static unsafe ulong? CurrentCookie()
    {
        const int SO_NETNS_COOKIE = 71;
        int fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw LinuxException.FromLastError("socket", "AF_UNIX");
        }

        try
        {
            ulong cookie = 0;
            socklen_t length = sizeof(ulong);
            return LibC.getsockopt(fd, LibC.SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &length) == 0 ? cookie : null;
        }
        finally
        {
            _ = LibC.close(fd);
        }
    }

    /// <summary>The inode number of the calling thread's network namespace; equal inodes mean the same namespace.</summary>
    public static unsafe ulong CurrentInode()
    {
        byte[] path = FileDescriptors.NullTerminatedUtf8(CurrentThreadNetNsPath);
        stat st;
        fixed (byte* p = path)
        {
            if (LibC.stat(p, &st) != 0)
            {
                throw LinuxException.FromLastError("stat", CurrentThreadNetNsPath);
            }
        }

        return st.st_ino;
    }

    private static void EnsureNetNamespace(SafeFd fd, string path)
    {
        // NS_GET_NSTYPE answers ENOTTY for anything that is not an nsfs file, and the namespace type otherwise.
        int type = NativeMethods.Ioctl(fd, NativeMethods.NS_GET_NSTYPE);
        if (type < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno is Errno.ENOTTY or Errno.EINVAL)
            {
                throw new NotANetNamespaceException(path);
            }

            throw new LinuxException("ioctl(NS_GET_NSTYPE)", errno, path);
        }

        if (type != NativeMethods.CLONE_NEWNET)
        {
            throw new NotANetNamespaceException(path);
        }
    }

    private static T RunIn<T>(SafeFd netns, string pathForErrors, Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (NativeMethods.Setns(netns, NativeMethods.CLONE_NEWNET) != 0)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    throw errno == Errno.EINVAL
                        ? new NotANetNamespaceException(pathForErrors)
                        : new LinuxException("setns", errno, pathForErrors);
                }

                result = work();
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        })
        {
            IsBackground = true,
            Name = "cniv6-netns",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
