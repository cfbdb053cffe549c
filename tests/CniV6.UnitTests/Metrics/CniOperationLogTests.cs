using CniV6.Core.Metrics;
using CniV6.UnitTests.Linux;

namespace CniV6.UnitTests.Metrics;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CniOperationLogTests : IDisposable
{
    private static readonly CniOperationRecord Record = new(CniOperationCommand.Add, 0, 1, 100, 0);
    private readonly PosixScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Each_append_adds_one_whole_record_to_a_file_only_the_owner_may_read()
    {
        var path = _scratch.Combine("cni-operations");

        Assert.True(CniOperationLog.TryAppend(path, Record));
        Assert.True(CniOperationLog.TryAppend(path, Record with { Command = CniOperationCommand.Del, Code = 11 }));

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(2 * CniOperationRecord.Size, bytes.Length);
        Assert.True(CniOperationRecord.TryDecode(bytes.AsSpan(CniOperationRecord.Size), out var second, out _));
        Assert.Equal(11, second.Code);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Without_its_directory_nothing_is_written_or_created()
    {
        var path = _scratch.Combine("missing/cni-operations");

        Assert.False(CniOperationLog.TryAppend(path, Record));
        Assert.False(Directory.Exists(_scratch.Combine("missing")));
    }

    [Fact]
    public void A_symlink_in_its_place_is_never_followed()
    {
        var target = _scratch.Combine("target");
        File.WriteAllText(target, "keep");
        var path = _scratch.Combine("cni-operations");
        File.CreateSymbolicLink(path, target);

        Assert.False(CniOperationLog.TryAppend(path, Record));
        Assert.Equal("keep", File.ReadAllText(target));
    }

    [Fact]
    public async Task A_fifo_in_its_place_is_neither_waited_on_nor_written()
    {
        var path = _scratch.MakeFifo("cni-operations");

        var append = Task.Run(() => CniOperationLog.TryAppend(path, Record));

        Assert.False(await append.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void At_its_bound_the_file_is_rotated_so_the_two_files_stay_bounded()
    {
        var path = _scratch.Combine("cni-operations");
        var records = (int)(CniOperationLog.RotateAtBytes / CniOperationRecord.Size);

        for (var i = 0; i < records + 10; i++)
        {
            Assert.True(CniOperationLog.TryAppend(path, Record));
        }

        Assert.Equal(CniOperationLog.RotateAtBytes, new FileInfo(path + ".1").Length);
        Assert.Equal(10 * CniOperationRecord.Size, new FileInfo(path).Length);
    }
}
