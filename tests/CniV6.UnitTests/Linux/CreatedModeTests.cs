using CniV6.Linux;

namespace CniV6.UnitTests.Linux;

/// <summary>Whatever the umask, what the posix layer creates has exactly the mode asked for.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(ProcessUmask.Name)]
public sealed class CreatedModeTests : IDisposable
{
    private const UnixFileMode UserRw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode UserRwx = UserRw | UnixFileMode.UserExecute;
    private const UnixFileMode Executable = UserRwx | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly PosixScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData(0x000)] // 000: nothing is masked; the mode is still exactly what was asked, never wider
    [InlineData(0x03F)] // 077: a bare O_CREAT would make a 0755 binary 0700
    public void A_created_file_has_exactly_its_mode(int umask)
    {
        string narrow = _scratch.Combine("narrow");
        string wide = _scratch.Combine("wide");

        using (ProcessUmask.Set(umask))
        {
            PosixFile.Open(narrow, PosixOpenFlags.WriteOnly | PosixOpenFlags.Create, UserRw).Dispose();
            PosixFile.Open(wide, PosixOpenFlags.WriteOnly | PosixOpenFlags.Create, Executable, out bool created).Dispose();
            Assert.True(created);
        }

        Assert.Equal(UserRw, File.GetUnixFileMode(narrow));
        Assert.Equal(Executable, File.GetUnixFileMode(wide));
    }

    [Theory]
    [InlineData(0x000)]
    [InlineData(0x03F)]
    public void Created_directories_have_exactly_their_mode(int umask)
    {
        string tree = Path.Combine(_scratch.Path, "a", "b", "c");
        string single = _scratch.Combine("single");

        using (ProcessUmask.Set(umask))
        {
            PosixDirectory.EnsureTree(tree, Executable);
            Assert.True(PosixDirectory.Ensure(single, UserRwx));
        }

        Assert.Equal(Executable, File.GetUnixFileMode(_scratch.Combine("a")));
        Assert.Equal(Executable, File.GetUnixFileMode(Path.Combine(_scratch.Path, "a", "b")));
        Assert.Equal(Executable, File.GetUnixFileMode(tree));
        Assert.Equal(UserRwx, File.GetUnixFileMode(single));
    }

    [Theory]
    [InlineData(0x000)]
    [InlineData(0x03F)]
    public void An_atomically_replaced_file_has_exactly_its_mode(int umask)
    {
        string path = _scratch.Combine("cniv6");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, UserRw);

        using (ProcessUmask.Set(umask))
        {
            AtomicFile.Replace(path, "new"u8, Executable);
        }

        Assert.Equal(Executable, File.GetUnixFileMode(path));
        Assert.Equal("new", File.ReadAllText(path));
    }

    [Fact]
    public void The_umask_really_is_applied_to_a_plain_create_in_these_tests()
    {
        // Proves the theories above can fail: the same create through the BCL gets the umask.
        string path = _scratch.Combine("bcl");
        using (ProcessUmask.Set(0x03F))
        {
            using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Executable });
        }

        Assert.Equal(UserRwx, File.GetUnixFileMode(path));
    }
}
