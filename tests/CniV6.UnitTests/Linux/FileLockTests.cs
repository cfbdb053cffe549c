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

        var ex = Assert.Throws<UnexpectedFileTypeException>(() => FileLock.Acquire(path, TimeSpan.FromSeconds(1)));

        Assert.Equal(PosixFileType.SymbolicLink, ex.Actual);
        Assert.Equal("", File.ReadAllText(target));
    }

    [Fact]
    public void A_fifo_in_place_of_the_lock_file_is_refused_at_once()
    {
        using var scratch = new PosixScratch();
        string path = scratch.MakeFifo("lock");

        var started = DateTime.UtcNow;
        var ex = Assert.Throws<UnexpectedFileTypeException>(() => FileLock.Acquire(path, TimeSpan.FromSeconds(5)));

        Assert.Equal(PosixFileType.Fifo, ex.Actual);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1));
    }

    [Theory]
    [InlineData(true)]  // the holder removes its lock file (DeleteFile)
    [InlineData(false)] // someone removes it by hand
    public async Task A_lock_file_unlinked_while_held_never_lets_two_holders_in(bool byHolder)
    {
        string path = Path.Combine(directory, "lock");
        FileLock first = FileLock.Acquire(path, TimeSpan.FromSeconds(1));
        Task<FileLock> waiter = Task.Run(() => FileLock.Acquire(path, TimeSpan.FromSeconds(10)));
        await Task.Delay(50);
        if (byHolder)
        {
            first.DeleteFile();
        }
        else
        {
            File.Delete(path);
        }

        // A newcomer creates and locks a fresh file under the same name.
        using (FileLock newcomer = FileLock.Acquire(path, TimeSpan.FromSeconds(1)))
        {
            first.Dispose();
            await Task.Delay(200);

            // The waiter locked the orphaned inode, saw the path names another file and must wait for the newcomer.
            Assert.False(waiter.IsCompleted, "two holders of one lock");
        }

        using FileLock second = await waiter;
        Assert.Equal(path, second.Path);
    }

    [Fact]
    public void Try_acquire_returns_null_while_another_holds_the_lock()
    {
        string path = Path.Combine(directory, "lock");
        using (FileLock.Acquire(path, TimeSpan.FromSeconds(1)))
        {
            Assert.Null(FileLock.TryAcquire(path));
        }

        using FileLock? free = FileLock.TryAcquire(path);
        Assert.NotNull(free);
    }

    [Fact]
    public void Delete_file_leaves_a_file_that_replaced_the_locked_one()
    {
        string path = Path.Combine(directory, "lock");
        using FileLock held = FileLock.Acquire(path, TimeSpan.FromSeconds(1));
        File.Delete(path);
        File.WriteAllText(path, "someone else's");

        held.DeleteFile();

        Assert.Equal("someone else's", File.ReadAllText(path));
    }
}
