using CniV6.Agent.Dataplane;
using CniV6.Linux;

namespace CniV6.Agent.Tests.Unit;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6a-files-").FullName;

    [Fact]
    public void Installs_the_plugin_executable_once_and_again_only_when_it_changes()
    {
        var source = Path.Combine(_dir, "cniv6-build");
        var binDir = Path.Combine(_dir, "bin");
        File.WriteAllBytes(source, [1, 2, 3]);

        Assert.True(PluginInstaller.Install(source, binDir));
        var installed = Path.Combine(binDir, "cniv6");
        var firstWrite = File.GetLastWriteTimeUtc(installed);
        Assert.False(PluginInstaller.Install(source, binDir));
        Assert.Equal(firstWrite, File.GetLastWriteTimeUtc(installed));

        File.WriteAllBytes(source, [1, 2, 4]);
        Assert.True(PluginInstaller.Install(source, binDir));

        Assert.Equal([1, 2, 4], File.ReadAllBytes(installed));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead |
                     UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute, File.GetUnixFileMode(installed));
        Assert.Single(Directory.GetFiles(binDir));
    }

    [Fact]
    public void Replaces_by_rename_so_an_open_reader_keeps_the_old_content()
    {
        var path = Path.Combine(_dir, "net.d", "10-cniv6.conflist");
        AtomicFile.WriteIfChanged(path, "old"u8, UnixFileMode.UserRead | UnixFileMode.UserWrite, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var reader = File.OpenRead(path);

        Assert.True(AtomicFile.WriteIfChanged(path, "new"u8, UnixFileMode.UserRead | UnixFileMode.UserWrite));

        Assert.Equal("old", new StreamReader(reader).ReadToEnd());
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
