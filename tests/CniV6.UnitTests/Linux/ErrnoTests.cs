using CniV6.Linux;
using Tmds.Linux;

namespace CniV6.UnitTests.Linux;

public sealed class ErrnoTests
{
    [Fact]
    public void Our_errno_constants_match_libc()
    {
        Assert.Equal(Errno.EPERM, LibC.EPERM);
        Assert.Equal(Errno.ENOENT, LibC.ENOENT);
        Assert.Equal(Errno.ESRCH, LibC.ESRCH);
        Assert.Equal(Errno.EINTR, LibC.EINTR);
        Assert.Equal(Errno.EAGAIN, LibC.EAGAIN);
        Assert.Equal(Errno.EWOULDBLOCK, LibC.EWOULDBLOCK);
        Assert.Equal(Errno.EACCES, LibC.EACCES);
        Assert.Equal(Errno.EBUSY, LibC.EBUSY);
        Assert.Equal(Errno.EEXIST, LibC.EEXIST);
        Assert.Equal(Errno.ENODEV, LibC.ENODEV);
        Assert.Equal(Errno.ENOTDIR, LibC.ENOTDIR);
        Assert.Equal(Errno.EINVAL, LibC.EINVAL);
        Assert.Equal(Errno.ENOTTY, LibC.ENOTTY);
        Assert.Equal(Errno.ELOOP, LibC.ELOOP);
        Assert.Equal(Errno.ENOBUFS, LibC.ENOBUFS);
    }

    [Fact]
    public void LinuxException_names_the_call_the_errno_and_its_text()
    {
        var ex = new LinuxException("open", Errno.ENOENT, "/nowhere");

        Assert.Equal(Errno.ENOENT, ex.Errno);
        Assert.Equal("open", ex.CallName);
        Assert.Equal("open /nowhere failed: No such file or directory (errno 2)", ex.Message);
    }
}
