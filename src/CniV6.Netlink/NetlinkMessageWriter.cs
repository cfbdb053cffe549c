using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;
using CniV6.Netlink.Kernel;

namespace CniV6.Netlink;

/// <summary>
/// Builds one netlink message in a caller-owned buffer: the nlmsghdr, a family header, then attributes,
/// each padded to 4 bytes. Lengths are reserved and back-patched (the message's in <see cref="Complete"/>,
/// a nested attribute's when its <see cref="AttributeScope"/> is disposed).
/// </summary>
internal ref struct NetlinkMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    internal NetlinkMessageWriter(Span<byte> buffer, ushort type, ushort flags, uint sequence)
    {
        _buffer = buffer;
        _position = 0;
        Span<byte> header = Reserve(NetlinkHeaders.NLMSG_HDRLEN);
        HostByteOrder.WriteUInt16(header[4..], type);
        HostByteOrder.WriteUInt16(header[6..], flags);
        HostByteOrder.WriteUInt32(header[8..], sequence);

        // nlmsg_pid 0: the kernel fills in our port id.
    }

    /// <summary>Bytes written so far (always a multiple of 4).</summary>
    internal readonly int Length => _position;

    /// <summary>Reserves <paramref name="size"/> zeroed bytes (padded to 4) for a family header such as ifinfomsg.</summary>
    internal Span<byte> Reserve(int size)
    {
        int aligned = NetlinkHeaders.Align(size);
        if (_buffer.Length - _position < aligned)
        {
            throw new InvalidOperationException($"netlink message does not fit in its {_buffer.Length}-byte buffer");
        }

        Span<byte> reserved = _buffer.Slice(_position, aligned);
        reserved.Clear();
        _position += aligned;
        return reserved[..size];
    }

    internal void WriteAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        Span<byte> attribute = Reserve(NetlinkHeaders.NLA_HDRLEN + value.Length);
        WriteAttributeHeader(attribute, type, NetlinkHeaders.NLA_HDRLEN + value.Length);
        value.CopyTo(attribute[NetlinkHeaders.NLA_HDRLEN..]);
    }

    internal void WriteUInt8(ushort type, byte value) => WriteAttribute(type, [value]);

    internal void WriteUInt32(ushort type, uint value)
    {
        Span<byte> value32 = stackalloc byte[4];
        HostByteOrder.WriteUInt32(value32, value);
        WriteAttribute(type, value32);
    }

    internal void WriteInt32(ushort type, int value) => WriteUInt32(type, unchecked((uint)value));

    /// <summary>A NUL-terminated string attribute (NLA_NUL_STRING / NLA_STRING both accept it).</summary>
    internal void WriteString(ushort type, string value)
    {
        int byteCount = Encoding.UTF8.GetByteCount(value);
        Span<byte> attribute = Reserve(NetlinkHeaders.NLA_HDRLEN + byteCount + 1);
        WriteAttributeHeader(attribute, type, attribute.Length);
        Encoding.UTF8.GetBytes(value, attribute[NetlinkHeaders.NLA_HDRLEN..]);
    }

    /// <summary>An address attribute: 4 or 16 bytes in network order.</summary>
    internal void WriteAddress(ushort type, IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
        {
            throw new InvalidOperationException($"could not encode {address}");
        }

        WriteAttribute(type, bytes[..written]);
    }

    /// <summary>Starts a nested attribute; everything written until the scope is disposed becomes its payload.</summary>
    [UnscopedRef]
    internal AttributeScope BeginNested(ushort type)
    {
        int start = _position;
        Reserve(NetlinkHeaders.NLA_HDRLEN);
        return new AttributeScope(_buffer, ref _position, start, (ushort)(type | NetlinkHeaders.NLA_F_NESTED));
    }

    /// <summary>Patches nlmsg_len and returns the finished message (still writable: the sender stamps nlmsg_seq).</summary>
    internal readonly Span<byte> Complete()
    {
        HostByteOrder.WriteUInt32(_buffer, (uint)_position);
        return _buffer[.._position];
    }

    private static void WriteAttributeHeader(Span<byte> attribute, ushort type, int length)
    {
        if (length > ushort.MaxValue)
        {
            throw new InvalidOperationException($"netlink attribute {type} is {length} bytes, more than nla_len can say");
        }

        HostByteOrder.WriteUInt16(attribute, (ushort)length);
        HostByteOrder.WriteUInt16(attribute[2..], type);
    }

    /// <summary>Back-patches a nested attribute's nla_len with everything written inside it.</summary>
    internal ref struct AttributeScope
    {
        private readonly Span<byte> _buffer;
        private readonly ref int _position;
        private readonly int _start;
        private readonly ushort _type;
        private bool _closed;

        internal AttributeScope(Span<byte> buffer, ref int position, int start, ushort type)
        {
            _buffer = buffer;
            _position = ref position;
            _start = start;
            _type = type;
            _closed = false;
        }

        public void Dispose()
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            WriteAttributeHeader(_buffer[_start..], _type, _position - _start);
        }
    }
}
