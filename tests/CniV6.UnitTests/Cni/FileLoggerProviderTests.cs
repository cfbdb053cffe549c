using System.Runtime.Versioning;
using System.Text;
using CniV6.Plugin.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.UnitTests.Cni;

[SupportedOSPlatform("linux")]
public sealed class FileLoggerProviderTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 24, 12, 0, 1, 234, 567, TimeSpan.Zero);

    private static readonly LogInvocation Add = new("ADD", "3f2a9c1b7d", "eth0");

    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void A_line_holds_time_pid_level_invocation_category_event_message_and_exception_on_one_line()
    {
        var line = Encoding.UTF8.GetString(FileLoggerProvider.FormatLine(
            Noon, 4242, LogLevel.Warning, Add, "CniV6.Plugin.Cni.CniDispatcher", new EventId(1003), "ADD failed\nsecond line", new InvalidOperationException("bad\r\nthing")));

        Assert.Equal(
            "2026-11-24T12:00:01.234567Z [4242] WARN ADD 3f2a9c1b7d eth0 CniV6.Plugin.Cni.CniDispatcher[1003] ADD failed\\nsecond line | System.InvalidOperationException: bad\\nthing\n",
            line);
    }

    [Fact]
    public void The_invocation_is_one_word_per_value_whatever_the_runtime_passed()
    {
        // Taken before validation, so a hostile CNI_CONTAINERID must not break the line or forge another field.
        var hostile = new LogInvocation("GC", "abc def\nWARN forged", null);
        var tooLong = new LogInvocation("DEL", new string('a', 300), "eth0");

        Assert.Equal("GC abc?def?WARN?forged -", hostile.Text);
        Assert.Equal($"DEL {new string('a', LogInvocation.MaxValueLength)}… eth0", tooLong.Text);
    }

    [Fact]
    public void Events_are_appended_to_a_private_file_in_a_created_private_directory()
    {
        var path = directory.Combine("new", "dir", "cniv6.log");
        using (var provider = FileLoggerProvider.Open(new LogSettings(path, LogLevel.Information, Add), new FixedTime(Noon)))
        {
            var logger = provider.CreateLogger("test");
            logger.LogInformation(new EventId(7), "first 1");
            logger.LogDebug("filtered out");
            logger.LogError(new EventId(8), "second");
        }

        using (var provider = FileLoggerProvider.Open(new LogSettings(path, LogLevel.Information, Add), new FixedTime(Noon)))
        {
            provider.CreateLogger("other").LogWarning(new EventId(9), "third");
        }

        var pid = Environment.ProcessId;
        Assert.Equal(
            [
                $"2026-11-24T12:00:01.234567Z [{pid}] INFO ADD 3f2a9c1b7d eth0 test[7] first 1",
                $"2026-11-24T12:00:01.234567Z [{pid}] ERROR ADD 3f2a9c1b7d eth0 test[8] second",
                $"2026-11-24T12:00:01.234567Z [{pid}] WARN ADD 3f2a9c1b7d eth0 other[9] third",
            ],
            File.ReadAllLines(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory.Combine("new", "dir")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Two_writers_appending_to_the_same_file_keep_every_line()
    {
        // Two plugin processes open the log at the same size; neither may overwrite the other's lines.
        var path = directory.Combine("shared.log");
        using var first = FileLoggerProvider.Open(new LogSettings(path, LogLevel.Information, Add));
        using var second = FileLoggerProvider.Open(new LogSettings(path, LogLevel.Information, Add));
        var a = first.CreateLogger("a");
        var b = second.CreateLogger("b");

        a.LogInformation("a1");
        b.LogInformation("b1");
        a.LogInformation("a2");
        b.LogInformation("b2");

        var events = File.ReadAllLines(path).Select(line => line[(line.IndexOf(" eth0 ", StringComparison.Ordinal) + 6)..]);
        Assert.Equal(["a[0] a1", "b[0] b1", "a[0] a2", "b[0] b2"], events);
    }

    [Fact]
    public void A_symlink_in_place_of_the_log_file_is_not_followed()
    {
        var target = directory.Combine("target");
        File.WriteAllText(target, "");
        var link = directory.Combine("cniv6.log");
        File.CreateSymbolicLink(link, target);
        using var provider = FileLoggerProvider.Open(new LogSettings(link, LogLevel.Information, Add));

        provider.CreateLogger("test").LogError("must not land in the target");

        Assert.Equal("", File.ReadAllText(target));
    }

    [Fact]
    public async Task A_fifo_in_place_of_the_log_file_turns_logging_off_without_blocking()
    {
        // A FIFO with no reader would block a plain open(O_WRONLY) for ever, and the plugin with it.
        var fifo = directory.Combine("cniv6.log");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        using var provider = FileLoggerProvider.Open(new LogSettings(fifo, LogLevel.Information, Add));
        var logger = provider.CreateLogger("test");

        await Task.Run(() => logger.LogError("lost")).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(logger.IsEnabled(LogLevel.Critical));
    }

    [Fact]
    public void An_unopenable_log_file_turns_logging_off_instead_of_failing()
    {
        var blocker = directory.Combine("not-a-directory");
        File.WriteAllText(blocker, "");
        using var provider = FileLoggerProvider.Open(new LogSettings(Path.Combine(blocker, "cniv6.log"), LogLevel.Trace, Add));
        var logger = provider.CreateLogger("test");

        logger.LogError("lost");

        Assert.False(logger.IsEnabled(LogLevel.Critical));
    }

    [Fact]
    public void Level_none_opens_nothing()
    {
        var path = directory.Combine("none.log");

        using var provider = FileLoggerProvider.Open(new LogSettings(path, LogLevel.None, Add));
        provider.CreateLogger("test").LogCritical("dropped");

        Assert.Same(NullLoggerProvider.Instance, provider);
        Assert.False(File.Exists(path));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
