namespace CniV6.Linux;

/// <summary>The errno values this code base reacts to (asm-generic/errno-base.h, errno.h).</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int ENXIO = 6;
    public const int EAGAIN = 11;
    public const int EWOULDBLOCK = EAGAIN;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;
    public const int ENAMETOOLONG = 36;
    public const int ELOOP = 40;
    public const int ENETUNREACH = 101;
    public const int ENOBUFS = 105;
    public const int EHOSTUNREACH = 113;
}
