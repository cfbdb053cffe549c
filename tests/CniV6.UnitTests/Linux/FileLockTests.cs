using CniV6.Linux;

namespace CniV6.UnitTests.Linux;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FileLockTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("cv6t-lock-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void A_second_holder_times_out_while_the_first_holds_the_lock()
    {
        string path = Path.Combine(directory, "lock");
        using FileLock first = FileLock.Acquire(path, TimeSpan.FromSeconds(1));

        var started = DateTime.UtcNow;
        Assert.Throws<TimeoutException>(() => FileLock.Acquire(path, TimeSpan.FromMilliseconds(100)));

        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(90));
    }

    [Fact]
    public async Task A_waiting_holder_gets_the_lock_when_it_is_released_before_the_timeout()
    {
        string path = Path.Combine(directory, "lock");
        FileLock first = FileLock.Acquire(path, TimeSpan.FromSeconds(1));
        var waiter = Task.Run(() => FileLock.Acquire(path, TimeSpan.FromSeconds(5)));
        await Task.Delay(50);
        Assert.False(waiter.IsCompleted);

        first.Dispose();

        using FileLock second = await waiter;
        Assert.Equal(path, second.Path);
    }

    [Fact]
    public void The_lock_file_is_created_with_mode_0600()
    {
        string path = Path.Combine(directory, "lock");

        using (FileLock.Acquire(path, TimeSpan.FromSeconds(1)))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void A_symlink_in_place_of_the_lock_file_is_refused()
    {
        string target = Path.Combine(directory, "target");
        File.WriteAllText(target, "");
        string path = Path.Combine(directory, "lock");
        File.CreateSymbolicLink(path, target);

        var ex = Assert.Throws<LinuxException>(() => FileLock.Acquire(path, TimeSpan.FromSeconds(1)));

        Assert.Equal(Errno.ELOOP, ex.Errno);
    }
}
