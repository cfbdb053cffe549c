using CniV6.Linux;

namespace CniV6.UnitTests.Linux;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AtomicFileTests : IDisposable
{
    private const UnixFileMode UserRw = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly PosixScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void The_file_then_the_directory_are_fsynced_after_the_rename()
    {
        string path = _scratch.Combine("state.json");
        var synced = new List<(string Path, PosixFileType Type, bool TargetExists)>();

        AtomicFile.Replace(path, "{}"u8, UserRw, temporaryName: null, (fd, name) =>
        {
            synced.Add((name, PosixFile.Fstat(fd, name).Type, File.Exists(path)));
            PosixFile.Fsync(fd, name);
        });

        Assert.Equal(
            [
                (_scratch.Combine($".state.json.{Environment.ProcessId}.tmp"), PosixFileType.RegularFile, false),
                (_scratch.Path, PosixFileType.Directory, true),
            ],
            synced);
        Assert.Equal("{}", File.ReadAllText(path));
        Assert.Equal(["state.json"], Directory.GetFiles(_scratch.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_failed_replace_removes_the_temporary_file_and_leaves_the_target()
    {
        // rename(2) of a file over a non-empty directory fails (EISDIR), after the temporary was written.
        string path = _scratch.Combine("target");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "inside"), "kept");

        Assert.ThrowsAny<IOException>(() => AtomicFile.Replace(path, "new"u8, UserRw));

        Assert.Equal(["target"], Directory.GetFileSystemEntries(_scratch.Path).Select(Path.GetFileName));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(path, "inside")));
    }

    [Fact]
    public void A_failed_fsync_removes_the_temporary_file()
    {
        string path = _scratch.Combine("target");
        File.WriteAllText(path, "old");

        Assert.Throws<IOException>(() => AtomicFile.Replace(path, "new"u8, UserRw, "target.tmp", (_, name) => throw new IOException("disk gone: " + name)));

        Assert.Equal(["target"], Directory.GetFiles(_scratch.Path).Select(Path.GetFileName));
        Assert.Equal("old", File.ReadAllText(path));
    }

    [Fact]
    public void A_symlink_at_the_target_is_replaced_not_followed()
    {
        string victim = _scratch.Combine("victim");
        File.WriteAllText(victim, "untouched");
        string path = _scratch.Combine("conflist");
        File.CreateSymbolicLink(path, victim);

        Assert.True(AtomicFile.WriteIfChanged(path, "new"u8, UserRw));

        Assert.Equal("untouched", File.ReadAllText(victim));
        Assert.Equal(PosixFileType.RegularFile, PosixFile.Stat(path, followSymlinks: false).Type);
        Assert.Equal("new", File.ReadAllText(path));
    }

    [Fact]
    public void A_planted_symlink_at_a_fixed_temporary_name_is_removed_not_written_through()
    {
        string victim = _scratch.Combine("victim");
        File.WriteAllText(victim, "untouched");
        File.CreateSymbolicLink(_scratch.Combine(".state.json.tmp"), victim);

        AtomicFile.Replace(_scratch.Combine("state.json"), "{}"u8, UserRw, ".state.json.tmp");

        Assert.Equal("untouched", File.ReadAllText(victim));
        Assert.Equal(["state.json", "victim"], Directory.GetFileSystemEntries(_scratch.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void WriteIfChanged_writes_only_a_different_content()
    {
        string path = _scratch.Combine("file");

        Assert.True(AtomicFile.WriteIfChanged(path, "same"u8, UserRw));
        ulong inode = PosixFile.Stat(path, followSymlinks: false).Inode;
        Assert.False(AtomicFile.WriteIfChanged(path, "same"u8, UserRw));
        Assert.Equal(inode, PosixFile.Stat(path, followSymlinks: false).Inode);
        Assert.True(AtomicFile.WriteIfChanged(path, "samE"u8, UserRw));
        Assert.True(AtomicFile.WriteIfChanged(path, "longer"u8, UserRw));
        Assert.Equal("longer", File.ReadAllText(path));
    }

    [Fact]
    public async Task WriteIfChanged_replaces_a_fifo_without_reading_it()
    {
        string path = _scratch.MakeFifo("conflist");

        // A blocking read of the FIFO would hang; WaitAsync turns that into a TimeoutException.
        bool written = await Task.Run(() => AtomicFile.WriteIfChanged(path, "new"u8, UserRw)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(written);
        Assert.Equal("new", File.ReadAllText(path));
    }
}
