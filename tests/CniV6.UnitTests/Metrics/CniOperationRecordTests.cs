using CniV6.Core.Metrics;

namespace CniV6.UnitTests.Metrics;

public class CniOperationRecordTests
{
    private static readonly CniOperationRecord Sample = new(CniOperationCommand.Add, 0, CniOperationRecord.HashNetwork("cniv6"), 12_345, 1_800_000_000_123);

    private static byte[] Encoded(CniOperationRecord record)
    {
        var bytes = new byte[CniOperationRecord.Size];
        record.Encode(bytes);
        return bytes;
    }

    [Fact]
    public void A_record_decodes_to_what_was_encoded()
    {
        Assert.True(CniOperationRecord.TryDecode(Encoded(Sample), out var decoded, out var problem));
        Assert.Null(problem);
        Assert.Equal(Sample, decoded);
        Assert.True(decoded.Succeeded);
    }

    [Fact]
    public void Out_of_range_code_and_duration_saturate_instead_of_wrapping()
    {
        var record = new CniOperationRecord(CniOperationCommand.Del, 70_000, 0, long.MaxValue, 0);

        Assert.True(CniOperationRecord.TryDecode(Encoded(record), out var decoded, out _));
        Assert.Equal(ushort.MaxValue, decoded.Code);
        Assert.Equal(uint.MaxValue, decoded.DurationMicroseconds);
        Assert.True(CniOperationRecord.TryDecode(Encoded(record with { DurationMicroseconds = -5, Code = -1 }), out decoded, out _));
        Assert.Equal(0, decoded.DurationMicroseconds);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void A_truncated_or_overlong_record_is_refused(int length)
    {
        var bytes = new byte[length];
        Encoded(Sample).AsSpan(0, Math.Min(length, CniOperationRecord.Size)).CopyTo(bytes);

        Assert.False(CniOperationRecord.TryDecode(bytes, out _, out var problem));
        Assert.Contains("32 bytes", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_single_bit_flip_is_refused()
    {
        var good = Encoded(Sample);
        for (var bit = 0; bit < CniOperationRecord.Size * 8; bit++)
        {
            var bad = (byte[])good.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(CniOperationRecord.TryDecode(bad, out _, out _), $"bit {bit} flipped was accepted");
        }
    }

    [Fact]
    public void Garbage_zeros_and_text_are_refused()
    {
        Assert.False(CniOperationRecord.TryDecode(new byte[CniOperationRecord.Size], out _, out var zeros));
        Assert.Equal("no record magic", zeros);
        Assert.False(CniOperationRecord.TryDecode("C6op but then a line of text..\n"u8.ToArray(), out _, out _));
        var random = new byte[CniOperationRecord.Size];
        new Random(42).NextBytes(random);
        Assert.False(CniOperationRecord.TryDecode(random, out _, out _));
    }

    [Fact]
    public void An_unknown_command_or_version_is_refused_even_with_a_valid_checksum()
    {
        var bytes = Encoded(Sample);
        bytes[5] = 7;
        Reseal(bytes);
        Assert.False(CniOperationRecord.TryDecode(bytes, out _, out var command));
        Assert.Equal("unknown command 7", command);

        bytes = Encoded(Sample);
        bytes[4] = 2;
        Reseal(bytes);
        Assert.False(CniOperationRecord.TryDecode(bytes, out _, out var version));
        Assert.Equal("unknown record version 2", version);
    }

    [Fact]
    public void Network_hashes_are_stable_distinct_and_zero_only_without_a_network()
    {
        Assert.Equal(CniOperationRecord.HashNetwork("cniv6"), CniOperationRecord.HashNetwork("cniv6"));
        Assert.NotEqual(CniOperationRecord.HashNetwork("cniv6"), CniOperationRecord.HashNetwork("cniv7"));
        Assert.Equal(0UL, CniOperationRecord.HashNetwork(null));
        Assert.Equal(0UL, CniOperationRecord.HashNetwork(""));
        Assert.NotEqual(0UL, CniOperationRecord.HashNetwork(new string('n', 1000)));
        Assert.NotEqual(CniOperationRecord.HashNetwork(new string('n', 1000)), CniOperationRecord.HashNetwork(new string('n', 999)));
    }

    /// <summary>The record format's checksum (FNV-1a 32 over bytes 0–27), recomputed after a deliberate change.</summary>
    private static void Reseal(byte[] bytes)
    {
        var hash = 2166136261U;
        foreach (var b in bytes.AsSpan(0, 28))
        {
            hash = (hash ^ b) * 16777619U;
        }

        BitConverter.TryWriteBytes(bytes.AsSpan(28), hash);
    }
}
