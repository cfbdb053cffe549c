using CniV6.Linux;

namespace CniV6.UnitTests.Linux;

public sealed class PosixErrorsTests
{
    [Theory]
    [InlineData(Errno.ENOENT, typeof(FileNotFoundException))]
    [InlineData(Errno.ENOTDIR, typeof(DirectoryNotFoundException))]
    [InlineData(Errno.EACCES, typeof(UnauthorizedAccessException))]
    [InlineData(Errno.EPERM, typeof(UnauthorizedAccessException))]
    [InlineData(Errno.ENAMETOOLONG, typeof(PathTooLongException))]
    [InlineData(Errno.EEXIST, typeof(LinuxException))]
    [InlineData(Errno.ELOOP, typeof(LinuxException))]
    [InlineData(Errno.EINVAL, typeof(LinuxException))]
    public void Each_errno_becomes_one_exception_type_carrying_call_path_errno_and_text(int errno, Type expected)
    {
        Exception e = PosixErrors.ToException("open", errno, "/some/path");

        Assert.IsType(expected, e);
        Assert.Equal(errno, PosixErrors.ErrnoOf(e));
        Assert.StartsWith("open /some/path failed: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith($"(errno {errno})", e.Message, StringComparison.Ordinal);
        Assert.Equal(new LinuxException("open", errno, "/some/path").Message, e.Message);
    }

    [Fact]
    public void File_errors_other_than_access_are_IOExceptions()
    {
        Assert.IsAssignableFrom<IOException>(PosixErrors.ToException("open", Errno.ENOENT, "/p"));
        Assert.IsAssignableFrom<IOException>(PosixErrors.ToException("write", Errno.EINVAL, "/p"));
        Assert.Null(PosixErrors.ErrnoOf(new IOException("not from libc")));
    }
}
