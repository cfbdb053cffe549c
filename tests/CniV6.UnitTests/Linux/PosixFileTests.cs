using System.Text;
using CniV6.Linux;

namespace CniV6.UnitTests.Linux;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PosixFileTests : IDisposable
{
    private const UnixFileMode UserRw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    private readonly PosixScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Opening_an_existing_file_with_create_keeps_its_mode_and_reports_not_created()
    {
        string path = _scratch.Combine("existing");
        File.WriteAllText(path, "x");
        File.SetUnixFileMode(path, (UnixFileMode)0x1A4); // 0644

        using SafeFd fd = PosixFile.Open(path, PosixOpenFlags.WriteOnly | PosixOpenFlags.Create, UserRw, out bool created);

        Assert.False(created);
        Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Exclusive_create_of_an_existing_file_fails_with_EEXIST()
    {
        string path = _scratch.Combine("existing");
        File.WriteAllText(path, "x");

        var e = Assert.Throws<LinuxException>(() => PosixFile.Open(path, PosixOpenFlags.WriteOnly | PosixOpenFlags.Create | PosixOpenFlags.Exclusive, UserRw));

        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlink_is_not_followed_unless_asked_for()
    {
        string target = _scratch.Combine("target");
        File.WriteAllText(target, "secret");
        string link = _scratch.Combine("link");
        File.CreateSymbolicLink(link, target);

        var open = Assert.Throws<LinuxException>(() => PosixFile.Open(link, PosixOpenFlags.WriteOnly | PosixOpenFlags.Create | PosixOpenFlags.Truncate, UserRw));
        var regular = Assert.Throws<UnexpectedFileTypeException>(() => PosixFile.OpenRegularFile(link, PosixOpenFlags.ReadOnly));

        Assert.Equal(Errno.ELOOP, open.Errno);
        Assert.Equal(PosixFileType.SymbolicLink, regular.Actual);
        Assert.Equal(link, regular.Path);
        Assert.Equal("secret", File.ReadAllText(target));
        using SafeFd followed = PosixFile.Open(link, PosixOpenFlags.ReadOnly | PosixOpenFlags.FollowSymlinks);
        Assert.Equal("secret", Encoding.UTF8.GetString(PosixFile.ReadToEnd(followed, link)));
    }

    [Theory]
    [InlineData(PosixOpenFlags.ReadOnly)]
    [InlineData(PosixOpenFlags.WriteOnly)]
    [InlineData(PosixOpenFlags.WriteOnly | PosixOpenFlags.Append | PosixOpenFlags.Create)]
    public async Task A_fifo_is_refused_by_the_regular_file_check_without_blocking(PosixOpenFlags flags)
    {
        string fifo = _scratch.MakeFifo("state.json");

        // Without O_NONBLOCK the open itself would wait for a writer (or reader) that never comes; WaitAsync
        // turns that hang into a TimeoutException.
        Exception? failure = await Task.Run(() => Record.Exception(() => PosixFile.OpenRegularFile(fifo, flags, UserRw).Dispose())).WaitAsync(HangGuard);

        var e = Assert.IsType<UnexpectedFileTypeException>(failure);
        Assert.Equal(PosixFileType.Fifo, e.Actual);
        Assert.Equal("is a FIFO, not a regular file", e.Reason);
    }

    [Fact]
    public void A_device_and_a_directory_are_refused_by_the_regular_file_check()
    {
        var device = Assert.Throws<UnexpectedFileTypeException>(() => PosixFile.OpenRegularFile("/dev/null", PosixOpenFlags.ReadOnly | PosixOpenFlags.FollowSymlinks));
        var directory = Assert.Throws<UnexpectedFileTypeException>(() => PosixFile.OpenRegularFile(_scratch.Path, PosixOpenFlags.WriteOnly));

        Assert.Equal(PosixFileType.CharacterDevice, device.Actual);
        Assert.Equal(PosixFileType.Directory, directory.Actual);
    }

    [Fact]
    public void A_regular_file_passes_the_check_and_a_missing_one_is_null()
    {
        string path = _scratch.Combine("plain");
        File.WriteAllText(path, "content");

        using SafeFd? fd = PosixFile.TryOpenRegularFile(path, PosixOpenFlags.ReadOnly);

        Assert.NotNull(fd);
        Assert.Equal("content", Encoding.UTF8.GetString(PosixFile.ReadToEnd(fd, path)));
        Assert.Null(PosixFile.TryOpenRegularFile(_scratch.Combine("missing"), PosixOpenFlags.ReadOnly));
    }

    [Fact]
    public void Fstat_and_stat_report_type_mode_size_and_identity()
    {
        string path = _scratch.Combine("plain");
        File.WriteAllBytes(path, new byte[1234]);
        File.SetUnixFileMode(path, (UnixFileMode)0x1E0); // 0740
        string link = _scratch.Combine("link");
        File.CreateSymbolicLink(link, path);

        using SafeFd fd = PosixFile.Open(path, PosixOpenFlags.ReadOnly);
        FileStatus status = PosixFile.Fstat(fd, path);

        Assert.Equal(new FileStatus(PosixFileType.RegularFile, (UnixFileMode)0x1E0, 1234, status.Device, status.Inode) { Owner = status.Owner }, status);
        Assert.Equal(status, PosixFile.Stat(link, followSymlinks: true));
        Assert.Equal(PosixFileType.SymbolicLink, PosixFile.Stat(link, followSymlinks: false).Type);
        Assert.NotEqual(status.Inode, PosixFile.Stat(link, followSymlinks: false).Inode);
    }

    [Fact]
    public void Read_beyond_the_limit_is_an_error_and_exactly_the_limit_is_not()
    {
        string path = _scratch.Combine("big");
        File.WriteAllBytes(path, new byte[10_000]);

        using (SafeFd fd = PosixFile.Open(path, PosixOpenFlags.ReadOnly))
        {
            Assert.Equal(10_000, PosixFile.ReadToEnd(fd, path, maxBytes: 10_000).Length);
        }

        using (SafeFd fd = PosixFile.Open(path, PosixOpenFlags.ReadOnly))
        {
            var e = Assert.Throws<IOException>(() => PosixFile.ReadToEnd(fd, path, maxBytes: 9_999));
            Assert.Contains("larger than 9999 bytes", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Unlink_removes_a_symlink_itself_and_answers_false_when_nothing_is_there()
    {
        string target = _scratch.Combine("target");
        File.WriteAllText(target, "kept");
        string link = _scratch.Combine("link");
        File.CreateSymbolicLink(link, target);

        Assert.True(PosixFile.Unlink(link));
        Assert.False(PosixFile.Unlink(link));
        Assert.Equal("kept", File.ReadAllText(target));
    }

    [Fact]
    public void A_missing_file_is_FileNotFound_with_path_and_errno()
    {
        string missing = _scratch.Combine("missing");

        var e = Assert.Throws<FileNotFoundException>(() => PosixFile.Open(missing, PosixOpenFlags.ReadOnly));

        Assert.Equal(missing, e.FileName);
        Assert.Equal($"open {missing} failed: No such file or directory (errno 2)", e.Message);
        Assert.Equal(Errno.ENOENT, PosixErrors.ErrnoOf(e));
    }

    [Fact]
    public void A_path_through_a_file_is_DirectoryNotFound()
    {
        string file = _scratch.Combine("file");
        File.WriteAllText(file, "");

        var e = Assert.Throws<DirectoryNotFoundException>(() => PosixFile.Open(Path.Combine(file, "child"), PosixOpenFlags.ReadOnly));

        Assert.Equal(Errno.ENOTDIR, PosixErrors.ErrnoOf(e));
    }
}
