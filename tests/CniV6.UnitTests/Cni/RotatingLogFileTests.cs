using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;
using CniV6.Plugin.Logging;

namespace CniV6.UnitTests.Cni;

/// <summary>
/// The plugin's size-capped log: what rotation keeps, and that writers sharing the file (each with its own
/// descriptor and its own flock, as separate plugin processes have) lose and tear no line while they rotate it.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class RotatingLogFileTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void The_file_is_rotated_before_a_line_would_take_it_past_the_cap()
    {
        var path = directory.Combine("cniv6.log");
        using var log = new RotatingLogFile(path, maxBytes: 100, maxFiles: 5);

        // 25-byte lines: four fit in 100 bytes, the fifth starts a new file.
        for (var i = 0; i < 10; i++)
        {
            log.Append(Line($"line {i:D2}", 25));
        }

        Assert.Equal(["line 08", "line 09"], Lines(path));
        Assert.Equal(["line 04", "line 05", "line 06", "line 07"], Lines(path + ".1"));
        Assert.Equal(["line 00", "line 01", "line 02", "line 03"], Lines(path + ".2"));
        Assert.False(File.Exists(path + ".3"));
        Assert.All([path, path + ".1", path + ".2"], file => Assert.True(new FileInfo(file).Length <= 100));
    }

    [Fact]
    public void At_most_maxFiles_rotated_files_are_kept_and_the_oldest_go()
    {
        var path = directory.Combine("cniv6.log");
        using var log = new RotatingLogFile(path, maxBytes: 50, maxFiles: 3);

        // 25-byte lines, two per file: 20 lines make 10 files, of which the newest four survive.
        for (var i = 0; i < 20; i++)
        {
            log.Append(Line($"line {i:D2}", 25));
        }

        Assert.Equal(["line 18", "line 19"], Lines(path));
        Assert.Equal(["line 16", "line 17"], Lines(path + ".1"));
        Assert.Equal(["line 14", "line 15"], Lines(path + ".2"));
        Assert.Equal(["line 12", "line 13"], Lines(path + ".3"));
        Assert.Equal(["cniv6.log", "cniv6.log.1", "cniv6.log.2", "cniv6.log.3", "cniv6.log.lock"],
            Directory.GetFiles(directory.Path).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_line_longer_than_the_cap_is_written_whole_into_a_file_of_its_own()
    {
        var path = directory.Combine("cniv6.log");
        using var log = new RotatingLogFile(path, maxBytes: 40, maxFiles: 2);

        log.Append(Line("short", 20));
        log.Append(Line("long", 100));
        log.Append(Line("after", 20));

        Assert.Equal(["after"], Lines(path));
        Assert.Equal(["long"], Lines(path + ".1"));
        Assert.Equal(100, new FileInfo(path + ".1").Length);
        Assert.Equal(["short"], Lines(path + ".2"));
    }

    [Fact]
    public void A_cap_of_zero_never_rotates()
    {
        var path = directory.Combine("cniv6.log");
        using var log = new RotatingLogFile(path, maxBytes: 0, maxFiles: 1);

        for (var i = 0; i < 100; i++)
        {
            log.Append(Line($"line {i:D2}", 25));
        }

        Assert.Equal(2500, new FileInfo(path).Length);
        Assert.False(File.Exists(path + ".1"));
    }

    [Fact]
    public void A_writer_whose_file_was_rotated_by_another_writes_on_into_the_new_file()
    {
        // Process A opened the log; process B then filled and rotated it. A's descriptor now names cniv6.log.1:
        // its next line must neither grow that file further nor be lost, and must not rotate a second time.
        var path = directory.Combine("cniv6.log");
        using var a = new RotatingLogFile(path, maxBytes: 100, maxFiles: 5);
        using var b = new RotatingLogFile(path, maxBytes: 100, maxFiles: 5);
        a.Append(Line("a first", 25));
        for (var i = 0; i < 4; i++)
        {
            b.Append(Line($"b {i}", 25));
        }

        a.Append(Line("a second", 25));

        Assert.Equal(["a first", "b 0", "b 1", "b 2"], Lines(path + ".1"));
        Assert.Equal(["b 3", "a second"], Lines(path));
        Assert.False(File.Exists(path + ".2"));
    }

    [Fact]
    public void Concurrent_writers_rotating_the_same_file_lose_no_line_and_tear_none()
    {
        // Eight writers, each with its own descriptor and lock (as eight plugin processes), 500 lines each through
        // a 4 KiB cap: about 40 rotations, with writers racing each other's renames. Every line must appear exactly
        // once, whole, and each writer's lines in the order written (oldest file first).
        const int Writers = 8;
        const int LinesPerWriter = 500;
        var path = directory.Combine("cniv6.log");
        using var start = new Barrier(Writers);
        var threads = Enumerable.Range(0, Writers).Select(writer => new Thread(() =>
        {
            using var log = new RotatingLogFile(path, maxBytes: 4096, maxFiles: 100);
            start.SignalAndWait();
            for (var i = 0; i < LinesPerWriter; i++)
            {
                log.Append(Line($"writer {writer} line {i:D4}", 41 + (i % 7)));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var files = Enumerable.Range(1, 100).Reverse().Select(n => $"{path}.{n}").Where(File.Exists).Append(path).ToList();
        Assert.True(files.Count > 30, $"{files.Count} files: the cap was not exercised");
        Assert.False(File.Exists($"{path}.100"), "more rotations than expected: the test would lose lines to retention");
        var seen = new List<int>[Writers];
        for (var w = 0; w < Writers; w++)
        {
            seen[w] = [];
        }

        foreach (var file in files)
        {
            // A line can land in a file its writer had open while another writer renamed it: over the cap by at
            // most one line per writer, never unbounded.
            Assert.True(new FileInfo(file).Length <= 4096 + (Writers * 48), $"{file}: {new FileInfo(file).Length} bytes");
            foreach (var line in File.ReadAllLines(file))
            {
                var match = WholeLine().Match(line);
                Assert.True(match.Success, $"torn or interleaved line in {file}: '{line}'");
                seen[int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]
                    .Add(int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        Assert.All(seen, lines => Assert.Equal(Enumerable.Range(0, LinesPerWriter), lines));
    }

    [Fact]
    public void Rotation_blocked_by_a_directory_keeps_every_line_in_the_current_file()
    {
        var path = directory.Combine("cniv6.log");
        Directory.CreateDirectory(path + ".1");
        File.WriteAllText(Path.Combine(path + ".1", "occupied"), "");
        using var log = new RotatingLogFile(path, maxBytes: 50, maxFiles: 1);

        for (var i = 0; i < 6; i++)
        {
            log.Append(Line($"line {i}", 25));
        }

        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"line {i}"), Lines(path));
    }

    [Fact]
    public void A_symlink_among_the_rotated_files_is_moved_or_removed_but_never_followed()
    {
        var victim = directory.Combine("victim");
        File.WriteAllText(victim, "precious\n");
        var path = directory.Combine("cniv6.log");
        File.CreateSymbolicLink(path + ".1", victim);
        using var log = new RotatingLogFile(path, maxBytes: 25, maxFiles: 2);

        for (var i = 0; i < 4; i++)
        {
            log.Append(Line($"line {i}", 25));
        }

        Assert.Equal("precious\n", File.ReadAllText(victim));
        Assert.Equal(["line 3"], Lines(path));
        Assert.Equal(["line 2"], Lines(path + ".1"));
        Assert.Equal(["line 1"], Lines(path + ".2"));
    }

    /// <summary>A line of exactly <paramref name="length"/> bytes (newline included): the text, dots, '\n'.</summary>
    private static byte[] Line(string text, int length) =>
        Encoding.ASCII.GetBytes(text.PadRight(length - 1, '.') + "\n");

    private static List<string> Lines(string file) => [.. File.ReadAllLines(file).Select(line => line.TrimEnd('.'))];

    [GeneratedRegex(@"^writer (\d) line (\d{4})\.*$")]
    private static partial Regex WholeLine();
}
