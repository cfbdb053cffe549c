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
        // /proc/PID/ns/net is a symlink by design; what it is gets checked below (NS_GET_NSTYPE), not what it looks like.
        SafeFd? fd = PosixFile.TryOpen(netnsPath, PosixOpenFlags.ReadOnly | PosixOpenFlags.FollowSymlinks, default, out _, out int errno);
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
    public static SafeFd OpenCurrent() => PosixFile.Open(CurrentThreadNetNsPath, PosixOpenFlags.ReadOnly | PosixOpenFlags.FollowSymlinks);

    /// <summary>
    /// True when <paramref name="netnsPath"/> names the calling thread's network namespace (same device and inode:
    /// both exist at this moment, so the inode cannot have been handed on). Guards against a runtime passing the
    /// plugin's own namespace as CNI_NETNS (libcni skel's CheckNetNS), where the "pod" interface would be created
    /// or deleted among the node's own. A path that cannot be examined is not ours: the plugin reports it properly
    /// (and DEL tolerates it).
    /// </summary>
    public static bool IsCurrent(string netnsPath) =>
        !netnsPath.Contains('\0', StringComparison.Ordinal)
        && PosixFile.TryStat(netnsPath, followSymlinks: true, out FileStatus target)
        && PosixFile.TryStat(CurrentThreadNetNsPath, followSymlinks: true, out FileStatus current)
        && (target.Device, target.Inode) == (current.Device, current.Inode);

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
