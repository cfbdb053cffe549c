using System.Buffers.Binary;
using System.Text;

namespace CniV6.Core.Metrics;

/// <summary>
/// One CNI invocation as the plugin records it for the agent's metrics: command, result code, duration, network.
/// Fixed <see cref="Size"/> bytes, little-endian, so one O_APPEND write(2) adds it whole and a reader can step
/// through a file without framing:
/// <code>
///  0  u32 magic "C6op"      4  u8 version (1)     5  u8 command (1 ADD … 6 VERSION, 0 other)
///  6  u16 result code (0 = success, capped at 65535)  8  u64 FNV-1a 64 of the network name (0 = none, e.g. VERSION)
/// 16  u32 duration in microseconds (saturating)      20  i64 unix time in milliseconds
/// 28  u32 FNV-1a 32 of bytes 0–27
/// </code>
/// Anything else (a torn write, garbage, another format) fails <see cref="TryDecode"/>.
/// </summary>
public readonly record struct CniOperationRecord(CniOperationCommand Command, int Code, ulong NetworkHash, long DurationMicroseconds, long UnixTimeMilliseconds)
{
    public const int Size = 32;
    private const uint Magic = 0x706F3643; // "C6op" little-endian
    private const byte Version = 1;

    public bool Succeeded => Code == 0;

    public void Encode(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"needs {Size} bytes", nameof(destination));
        }

        var record = destination[..Size];
        BinaryPrimitives.WriteUInt32LittleEndian(record, Magic);
        record[4] = Version;
        record[5] = (byte)Command;
        BinaryPrimitives.WriteUInt16LittleEndian(record[6..], (ushort)Math.Clamp(Code, 0, ushort.MaxValue));
        BinaryPrimitives.WriteUInt64LittleEndian(record[8..], NetworkHash);
        BinaryPrimitives.WriteUInt32LittleEndian(record[16..], (uint)Math.Clamp(DurationMicroseconds, 0, uint.MaxValue));
        BinaryPrimitives.WriteInt64LittleEndian(record[20..], UnixTimeMilliseconds);
        BinaryPrimitives.WriteUInt32LittleEndian(record[28..], Checksum(record[..28]));
    }

    /// <summary>Decodes one record; false (with the reason) for anything that is not exactly a record of this format.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, out CniOperationRecord record, out string? problem)
    {
        record = default;
        if (source.Length != Size)
        {
            problem = $"a record is {Size} bytes, got {source.Length}";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic)
        {
            problem = "no record magic";
            return false;
        }

        if (source[4] != Version)
        {
            problem = $"unknown record version {source[4]}";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source[28..]) != Checksum(source[..28]))
        {
            problem = "checksum mismatch";
            return false;
        }

        if (source[5] > (byte)CniOperationCommand.Version)
        {
            problem = $"unknown command {source[5]}";
            return false;
        }

        record = new CniOperationRecord(
            (CniOperationCommand)source[5],
            BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[20..]));
        problem = null;
        return true;
    }

    /// <summary>FNV-1a 64 of the UTF-8 name: the agent compares it with its own network's; null or empty is 0.</summary>
    public static ulong HashNetwork(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return 0;
        }

        Span<byte> utf8 = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(name) <= utf8.Length ? utf8[..Encoding.UTF8.GetBytes(name, utf8)] : Encoding.UTF8.GetBytes(name);
        var hash = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash == 0 ? 1 : hash;
    }

    private static uint Checksum(ReadOnlySpan<byte> data)
    {
        var hash = 2166136261U;
        foreach (var b in data)
        {
            hash = (hash ^ b) * 16777619U;
        }

        return hash;
    }
}

/// <summary>The CNI command of a <see cref="CniOperationRecord"/>; 0 for a missing or unknown CNI_COMMAND.</summary>
public enum CniOperationCommand : byte
{
    Other = 0,
    Add = 1,
    Del = 2,
    Check = 3,
    Gc = 4,
    Status = 5,
    Version = 6,
}
