using System.Net;
using System.Text;
using CniV6.Netlink.Kernel;

namespace CniV6.Netlink;

/// <summary>
/// Walks a run of attributes (after a family header, or inside a nested attribute). Every nla_len is checked
/// before slicing; a malformed attribute ends in <see cref="NetlinkDecodeException"/>.
/// </summary>
internal ref struct NetlinkAttributeReader
{
    private ReadOnlySpan<byte> _remaining;

    internal NetlinkAttributeReader(ReadOnlySpan<byte> attributes)
    {
        _remaining = attributes;
    }

    /// <summary>Reads the next attribute; its type without the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits.</summary>
    internal bool TryRead(out ushort type, out ReadOnlySpan<byte> value)
    {
        if (_remaining.IsEmpty)
        {
            type = 0;
            value = default;
            return false;
        }

        if (_remaining.Length < NetlinkHeaders.NLA_HDRLEN)
        {
            throw new NetlinkDecodeException($"{_remaining.Length} trailing bytes are too short for an attribute header");
        }

        ushort length = HostByteOrder.ReadUInt16(_remaining);
        if (length < NetlinkHeaders.NLA_HDRLEN || length > _remaining.Length)
        {
            throw new NetlinkDecodeException($"nla_len {length} does not fit the {_remaining.Length} bytes left");
        }

        type = (ushort)(HostByteOrder.ReadUInt16(_remaining[2..]) & NetlinkHeaders.NLA_TYPE_MASK);
        value = _remaining[NetlinkHeaders.NLA_HDRLEN..length];
        int next = NetlinkHeaders.Align(length);
        _remaining = next >= _remaining.Length ? [] : _remaining[next..];
        return true;
    }

    internal static byte ReadUInt8(ReadOnlySpan<byte> value, ushort type)
    {
        NetlinkDecodeException.ThrowIfShorter(value, 1, $"attribute {type}");
        return value[0];
    }

    internal static uint ReadUInt32(ReadOnlySpan<byte> value, ushort type)
    {
        NetlinkDecodeException.ThrowIfShorter(value, 4, $"attribute {type}");
        return HostByteOrder.ReadUInt32(value);
    }

    internal static int ReadInt32(ReadOnlySpan<byte> value, ushort type)
    {
        NetlinkDecodeException.ThrowIfShorter(value, 4, $"attribute {type}");
        return HostByteOrder.ReadInt32(value);
    }

    /// <summary>A string attribute up to its first NUL (the kernel NUL-terminates, but do not rely on it).</summary>
    internal static string ReadString(ReadOnlySpan<byte> value)
    {
        int nul = value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? value[..nul] : value);
    }

    /// <summary>An address attribute; its length must be that of the family.</summary>
    internal static IPAddress ReadAddress(ReadOnlySpan<byte> value, ushort type)
    {
        if (value.Length is not (4 or 16))
        {
            throw new NetlinkDecodeException($"address attribute {type} has {value.Length} bytes");
        }

        return new IPAddress(value);
    }
}
