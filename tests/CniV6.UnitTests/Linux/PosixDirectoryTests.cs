using CniV6.Linux;

namespace CniV6.UnitTests.Linux;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PosixDirectoryTests : IDisposable
{
    private const UnixFileMode UserRwx = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly PosixScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void An_existing_directory_is_accepted_and_keeps_its_mode()
    {
        string path = _scratch.Combine("existing");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0x1FF); // 0777

        Assert.False(PosixDirectory.Ensure(path, UserRwx));

        Assert.Equal((UnixFileMode)0x1FF, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_symlink_to_a_directory_is_refused_and_nothing_is_created_behind_it()
    {
        string real = Directory.CreateDirectory(_scratch.Combine("real")).FullName;
        string link = _scratch.Combine("link");
        File.CreateSymbolicLink(link, real);

        var e = Assert.Throws<UnexpectedFileTypeException>(() => PosixDirectory.Ensure(link, UserRwx));

        Assert.Equal(PosixFileType.SymbolicLink, e.Actual);
        Assert.Equal(PosixFileType.Directory, e.Expected);
        Assert.Equal("is a symbolic link; refusing to follow it", e.Reason);
    }

    [Fact]
    public void A_file_in_place_of_the_directory_is_refused()
    {
        string path = _scratch.Combine("file");
        File.WriteAllText(path, "");

        var e = Assert.Throws<UnexpectedFileTypeException>(() => PosixDirectory.Ensure(path, UserRwx));

        Assert.Equal(PosixFileType.RegularFile, e.Actual);
        Assert.Equal($"{path} is a regular file, not a directory", e.Message);
    }

    [Fact]
    public void A_tree_may_pass_through_existing_symlinked_directories()
    {
        // /var/run is a symlink to /run on most systems; a log directory below it must still be creatable.
        string real = Directory.CreateDirectory(_scratch.Combine("run")).FullName;
        string link = _scratch.Combine("var-run");
        File.CreateSymbolicLink(link, real);

        PosixDirectory.EnsureTree(Path.Combine(link, "cniv6", "logs"), UserRwx);

        Assert.True(Directory.Exists(Path.Combine(real, "cniv6", "logs")));
    }

    [Fact]
    public void Fsync_of_a_missing_directory_names_it()
    {
        string missing = _scratch.Combine("missing");

        var e = Assert.Throws<FileNotFoundException>(() => PosixDirectory.Fsync(missing));

        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }
}
