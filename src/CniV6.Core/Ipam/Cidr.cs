using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace CniV6.Core.Ipam;

/// <summary>
/// Address arithmetic on CIDR blocks for both families. Addresses are handled as <see cref="UInt128"/>
/// offsets so IPv6 and IPv4 share one code path; IPv4 uses the low 32 bits.
/// </summary>
internal static class Cidr
{
    public static int AddressBits(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => 32,
        AddressFamily.InterNetworkV6 => 128,
        _ => throw new ArgumentException($"unsupported address family {family}", nameof(family)),
    };

    public static UInt128 ToUInt128(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
        {
            throw new ArgumentException($"cannot encode address {address}", nameof(address));
        }

        return written == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static IPAddress FromUInt128(UInt128 value, AddressFamily family)
    {
        if (family == AddressFamily.InterNetwork)
        {
            if (value > uint.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(value), "value does not fit an IPv4 address");
            }

            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)value);
            return new IPAddress(v4);
        }

        Span<byte> v6 = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(v6, value);
        return new IPAddress(v6);
    }

    /// <summary>Number of addresses in the block; saturates at <see cref="UInt128.MaxValue"/> for ::/0.</summary>
    public static UInt128 Size(IPNetwork network)
    {
        int hostBits = AddressBits(network.BaseAddress.AddressFamily) - network.PrefixLength;
        return hostBits >= 128 ? UInt128.MaxValue : UInt128.One << hostBits;
    }

    /// <summary>The address <paramref name="offset"/> places after the network's first address.</summary>
    public static IPAddress AddressAt(IPNetwork network, UInt128 offset)
    {
        if (offset >= Size(network))
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"offset {offset} is outside {network}");
        }

        return FromUInt128(ToUInt128(network.BaseAddress) + offset, network.BaseAddress.AddressFamily);
    }

    /// <summary>Offset of <paramref name="address"/> from the network's first address; the address must be inside.</summary>
    public static UInt128 OffsetOf(IPNetwork network, IPAddress address)
    {
        if (!Contains(network, address))
        {
            throw new ArgumentOutOfRangeException(nameof(address), $"{address} is outside {network}");
        }

        return ToUInt128(address) - ToUInt128(network.BaseAddress);
    }

    /// <summary>True when the address is in the block. Unlike <see cref="IPNetwork.Contains"/> the families must match exactly.</summary>
    public static bool Contains(IPNetwork network, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != network.BaseAddress.AddressFamily)
        {
            return false;
        }

        UInt128 mask = Mask(network);
        return (ToUInt128(address) & mask) == (ToUInt128(network.BaseAddress) & mask);
    }

    /// <summary>True when the blocks share at least one address (CIDR blocks either nest or are disjoint).</summary>
    public static bool Overlaps(IPNetwork a, IPNetwork b) =>
        Contains(a, b.BaseAddress) || Contains(b, a.BaseAddress);

    /// <summary>The block as written by the kernel and iptables: base address with host bits cleared.</summary>
    public static string Format(IPNetwork network) =>
        $"{FromUInt128(ToUInt128(network.BaseAddress) & Mask(network), network.BaseAddress.AddressFamily)}/{network.PrefixLength}";

    private static UInt128 Mask(IPNetwork network)
    {
        int bits = AddressBits(network.BaseAddress.AddressFamily);
        int hostBits = bits - network.PrefixLength;
        UInt128 all = bits == 128 ? UInt128.MaxValue : uint.MaxValue;
        return hostBits >= 128 ? UInt128.Zero : all & ~((UInt128.One << hostBits) - 1);
    }
}
