using System.Buffers.Binary;

namespace CniV6.Netlink.Kernel;

/// <summary>Netlink integers are in the host's byte order (unlike the network-order addresses they carry).</summary>
internal static class HostByteOrder
{
    internal static ushort ReadUInt16(ReadOnlySpan<byte> source) => BitConverter.IsLittleEndian
        ? BinaryPrimitives.ReadUInt16LittleEndian(source)
        : BinaryPrimitives.ReadUInt16BigEndian(source);

    internal static uint ReadUInt32(ReadOnlySpan<byte> source) => BitConverter.IsLittleEndian
        ? BinaryPrimitives.ReadUInt32LittleEndian(source)
        : BinaryPrimitives.ReadUInt32BigEndian(source);

    internal static int ReadInt32(ReadOnlySpan<byte> source) => BitConverter.IsLittleEndian
        ? BinaryPrimitives.ReadInt32LittleEndian(source)
        : BinaryPrimitives.ReadInt32BigEndian(source);

    internal static void WriteUInt16(Span<byte> destination, ushort value)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, value);
        }
    }

    internal static void WriteUInt32(Span<byte> destination, uint value)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, value);
        }
    }

    internal static void WriteInt32(Span<byte> destination, int value) => WriteUInt32(destination, unchecked((uint)value));
}
