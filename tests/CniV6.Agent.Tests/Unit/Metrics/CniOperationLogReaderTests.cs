using CniV6.Agent.Metrics;
using CniV6.Core.Metrics;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.Unit.Metrics;

/// <summary>The agent's side of the plugin's operation log: what it counts, and what it refuses to trust.</summary>
public sealed class CniOperationLogReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6m-oplog-").FullName;
    private readonly List<CniOperationRecord> _counted = [];
    private int _rejected;

    private string LogPath => Path.Combine(_dir, "cni-operations");

    private CniOperationLogReader Reader(string network = "pods") =>
        new(LogPath, network, _counted.Add, n => _rejected += n, NullLogger.Instance);

    private static CniOperationRecord Op(CniOperationCommand command, string? network = "pods", int code = 0) =>
        new(command, code, CniOperationRecord.HashNetwork(network), 1500, 0);

    private void Append(CniOperationRecord record) => Assert.True(CniOperationLog.TryAppend(LogPath, record));

    private void AppendRaw(byte[] bytes)
    {
        using var file = new FileStream(LogPath, FileMode.Append);
        file.Write(bytes);
    }

    [Fact]
    public void Counts_what_is_appended_after_it_started_and_not_what_was_there_before()
    {
        Append(Op(CniOperationCommand.Add));
        using var reader = Reader();
        reader.Drain();

        Append(Op(CniOperationCommand.Add));
        Append(Op(CniOperationCommand.Del, code: 11));
        reader.Drain();
        reader.Drain();

        Assert.Equal([CniOperationCommand.Add, CniOperationCommand.Del], _counted.Select(r => r.Command));
        Assert.Equal(11, _counted[1].Code);
    }

    [Fact]
    public void A_file_created_after_it_started_is_read_from_its_start()
    {
        using var reader = Reader();
        reader.Drain();

        Append(Op(CniOperationCommand.Add));
        reader.Drain();

        Assert.Single(_counted);
    }

    [Fact]
    public void Only_its_own_network_and_records_without_a_network_are_counted()
    {
        using var reader = Reader();
        reader.Drain();

        Append(Op(CniOperationCommand.Add, "pods"));
        Append(Op(CniOperationCommand.Add, "other-network"));
        Append(Op(CniOperationCommand.Version, network: null));
        reader.Drain();

        Assert.Equal([CniOperationCommand.Add, CniOperationCommand.Version], _counted.Select(r => r.Command));
        Assert.Equal(0, _rejected);
    }

    [Fact]
    public void Garbage_records_are_counted_as_rejected_and_the_good_ones_around_them_still_count()
    {
        using var reader = Reader();
        reader.Drain();

        Append(Op(CniOperationCommand.Add));
        AppendRaw(new byte[CniOperationRecord.Size * 2]);
        AppendRaw("this line was written by someone else\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"u8.ToArray()[..CniOperationRecord.Size]);
        Append(Op(CniOperationCommand.Check));
        reader.Drain();

        Assert.Equal([CniOperationCommand.Add, CniOperationCommand.Check], _counted.Select(r => r.Command));
        Assert.Equal(3, _rejected);
    }

    [Fact]
    public void A_partial_record_waits_until_it_is_whole()
    {
        using var reader = Reader();
        reader.Drain();
        var bytes = new byte[CniOperationRecord.Size];
        Op(CniOperationCommand.Add).Encode(bytes);

        AppendRaw(bytes[..10]);
        reader.Drain();
        Assert.Empty(_counted);
        AppendRaw(bytes[10..]);
        reader.Drain();

        Assert.Single(_counted);
        Assert.Equal(0, _rejected);
    }

    [Fact]
    public void Across_a_rotation_the_rest_of_the_old_file_and_all_of_the_new_one_are_counted_once()
    {
        using var reader = Reader();
        Append(Op(CniOperationCommand.Add));
        reader.Drain(); // starts at the end: the first record is history

        Append(Op(CniOperationCommand.Add));
        File.Move(LogPath, LogPath + ".1", overwrite: true);
        Append(Op(CniOperationCommand.Del));
        Append(Op(CniOperationCommand.Check));
        reader.Drain();
        reader.Drain();

        Assert.Equal([CniOperationCommand.Add, CniOperationCommand.Del, CniOperationCommand.Check], _counted.Select(r => r.Command));
    }

    [Fact]
    public void A_symlink_is_never_followed()
    {
        var target = Path.Combine(_dir, "elsewhere");
        using var reader = Reader();
        reader.Drain();
        File.WriteAllBytes(target, []);
        File.CreateSymbolicLink(LogPath, target);
        var bytes = new byte[CniOperationRecord.Size];
        Op(CniOperationCommand.Add).Encode(bytes);
        File.WriteAllBytes(target, bytes);

        reader.Drain();

        Assert.Empty(_counted);
    }

    [Fact]
    public void A_file_others_may_write_is_not_read()
    {
        using var reader = Reader();
        reader.Drain();
        Append(Op(CniOperationCommand.Add));
        File.SetUnixFileMode(LogPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);

        reader.Drain();

        Assert.Empty(_counted);
    }

    [Fact]
    public void A_file_grown_far_beyond_what_the_plugin_writes_is_skipped_not_read_whole()
    {
        using var reader = Reader();
        reader.Drain();
        Append(Op(CniOperationCommand.Add));
        using (var file = new FileStream(LogPath, FileMode.Append))
        {
            file.SetLength(CniOperationLogReader.MaxBytesPerDrain + (10 * CniOperationRecord.Size) + 7);
        }

        reader.Drain();
        Append(Op(CniOperationCommand.Del)); // lands after the odd 7 bytes: misaligned, so it is garbage to the reader
        reader.Drain();

        Assert.Empty(_counted);
        Assert.True(_rejected > 1000);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
