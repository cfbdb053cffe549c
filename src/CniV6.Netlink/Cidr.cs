using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace CniV6.Netlink;

/// <summary>
/// The one CIDR type of the project: <see cref="IPNetwork"/> for the value, plus the strict text form and the
/// address arithmetic the BCL lacks. Addresses are handled as <see cref="UInt128"/> offsets so IPv6 and IPv4
/// share one code path (IPv4 uses the low 32 bits).
/// </summary>
/// <remarks>
/// It lives in CniV6.Netlink, not CniV6.Core, because the netlink decoder needs it too (a route's RTA_DST plus
/// rtm_dst_len becomes an <see cref="IPNetwork"/>), Netlink cannot reference Core (Core references Netlink),
/// and every project above — Core, the plugin, the agent — already references Netlink. Netlink is the lowest
/// layer that speaks prefixes; CniV6.Linux (below it) knows nothing about addresses.
/// </remarks>
public static class Cidr
{
    /// <summary>32 for IPv4, 128 for IPv6.</summary>
    public static int AddressBits(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => 32,
        AddressFamily.InterNetworkV6 => 128,
        _ => throw new ArgumentException($"unsupported address family {family}", nameof(family)),
    };

    public static AddressFamily Family(IPNetwork network) => network.BaseAddress.AddressFamily;

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

    /// <summary>True when <paramref name="prefixLength"/> is 0..32 for IPv4 or 0..128 for IPv6.</summary>
    public static bool IsValidPrefixLength(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            && prefixLength >= 0 && prefixLength <= AddressBits(address.AddressFamily);
    }

    /// <summary>
    /// The network an address sits in: host bits cleared, as <see cref="IPNetwork"/> requires ("10.1.2.3", 24 →
    /// 10.1.2.0/24). Interface addresses, route destinations and config text all arrive with host bits possibly set.
    /// </summary>
    public static IPNetwork NetworkOf(IPAddress address, int prefixLength)
    {
        if (!IsValidPrefixLength(address, prefixLength))
        {
            throw new ArgumentOutOfRangeException(nameof(prefixLength), $"prefix length {prefixLength} does not fit {address}");
        }

        return new IPNetwork(FromUInt128(ToUInt128(address) & Mask(address.AddressFamily, prefixLength), address.AddressFamily), prefixLength);
    }

    /// <summary>Number of addresses in the block; saturates at <see cref="UInt128.MaxValue"/> for ::/0.</summary>
    public static UInt128 Size(IPNetwork network)
    {
        int hostBits = AddressBits(Family(network)) - network.PrefixLength;
        return hostBits >= 128 ? UInt128.MaxValue : UInt128.One << hostBits;
    }

    /// <summary>The first address of the block (the network address itself).</summary>
    public static IPAddress First(IPNetwork network) => network.BaseAddress;

    /// <summary>The last address of the block (all host bits set; the broadcast address of an IPv4 block).</summary>
    public static IPAddress Last(IPNetwork network) =>
        FromUInt128(ToUInt128(network.BaseAddress) | (~Mask(Family(network), network.PrefixLength) & AllOnes(Family(network))), Family(network));

    /// <summary>The address <paramref name="offset"/> places after the network's first address (the nth address).</summary>
    public static IPAddress AddressAt(IPNetwork network, UInt128 offset)
    {
        if (offset >= Size(network))
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"offset {offset} is outside {network}");
        }

        return FromUInt128(ToUInt128(network.BaseAddress) + offset, Family(network));
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

    /// <summary>
    /// True when the address is in the block. Unlike <see cref="IPNetwork.Contains"/> the families must match
    /// exactly, so an IPv4-mapped IPv6 address is never inside an IPv4 block.
    /// </summary>
    public static bool Contains(IPNetwork network, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != Family(network))
        {
            return false;
        }

        UInt128 mask = Mask(Family(network), network.PrefixLength);
        return (ToUInt128(address) & mask) == ToUInt128(network.BaseAddress);
    }

    /// <summary>True when the blocks share at least one address (CIDR blocks either nest or are disjoint).</summary>
    public static bool Overlaps(IPNetwork a, IPNetwork b) =>
        Contains(a, b.BaseAddress) || Contains(b, a.BaseAddress);

    /// <summary>The block as the kernel and iptables write it: lower-case, compressed, "fd00:10:244::/56".</summary>
    public static string Format(IPNetwork network) => $"{network.BaseAddress}/{network.PrefixLength}";

    /// <summary>An interface address in CIDR form, host bits kept ("10.1.2.5/24").</summary>
    public static string Format(IPAddress address, int prefixLength) => $"{address}/{prefixLength}";

    /// <summary>Parses "address/prefix" with host bits allowed, as in "10.0.0.5/24"; see the other overload for why it fails.</summary>
    public static bool TryParse(string text, out IPAddress address, out int prefixLength) =>
        TryParse(text, out address, out prefixLength, out _);

    /// <summary>
    /// Parses "address/prefix" with host bits allowed. Stricter than <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
    /// and <see cref="IPNetwork.TryParse(string?, out IPNetwork)"/>: no "10.1", "0x0a.0.0.1", zone ids, "+8" or "0064",
    /// which have no place in a network configuration. <paramref name="problem"/> says why text was refused.
    /// </summary>
    public static bool TryParse(string text, out IPAddress address, out int prefixLength, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        address = IPAddress.None;
        prefixLength = 0;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            problem = "it has no prefix length (expected address/prefix)";
            return false;
        }

        if (!TryParseAddress(text[..slash], out address, out problem))
        {
            return false;
        }

        var prefixText = text.AsSpan(slash + 1);
        var maximum = AddressBits(address.AddressFamily);
        if (prefixText.Length is 0 or > 3 || !IsAsciiDigits(prefixText)
            || !int.TryParse(prefixText, out prefixLength) || prefixLength > maximum)
        {
            prefixLength = 0;
            problem = $"the prefix length must be a decimal number from 0 to {maximum}";
            return false;
        }

        problem = null;
        return true;
    }

    /// <summary>A plain IPv4 dotted quad or an IPv6 address without zone id.</summary>
    public static bool TryParseAddress(string text, out IPAddress address) => TryParseAddress(text, out address, out _);

    /// <inheritdoc cref="TryParseAddress(string, out IPAddress)"/>
    public static bool TryParseAddress(string text, out IPAddress address, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        address = IPAddress.None;
        if (text.Length == 0)
        {
            problem = "the address is empty";
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.Contains('%', StringComparison.Ordinal))
            {
                problem = "an IPv6 zone id (%…) has no place in a network";
                return false;
            }

            if (!IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                problem = "the address is not a valid IPv6 address";
                return false;
            }

            address = v6;
            problem = null;
            return true;
        }

        var parts = text.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !IsAsciiDigits(p))
            || !IPAddress.TryParse(text, out var v4) || v4.AddressFamily != AddressFamily.InterNetwork)
        {
            problem = "the address is neither IPv6 nor an IPv4 dotted quad of four decimal numbers 0-255";
            return false;
        }

        address = v4;
        problem = null;
        return true;
    }

    /// <summary>
    /// Parses a network written as its first address ("fd00:10:244::/64"); text with host bits set is refused
    /// with the network it would have meant, so a typo never silently widens or moves a range.
    /// </summary>
    /// <exception cref="FormatException">The text is not a CIDR or has host bits set; the message says why.</exception>
    public static IPNetwork ParseNetwork(string text) =>
        TryParseNetwork(text, out var network, out var problem) ? network : throw new FormatException($"\"{text}\" is not a network: {problem}");

    /// <inheritdoc cref="ParseNetwork(string)"/>
    public static bool TryParseNetwork(string text, out IPNetwork network, [NotNullWhen(false)] out string? problem)
    {
        network = default;
        if (!TryParse(text, out var address, out var prefixLength, out problem))
        {
            return false;
        }

        var masked = NetworkOf(address, prefixLength);
        if (!masked.BaseAddress.Equals(address))
        {
            problem = $"it has host bits set; the network is {Format(masked)}";
            return false;
        }

        network = masked;
        return true;
    }

    private static UInt128 AllOnes(AddressFamily family) => family == AddressFamily.InterNetwork ? uint.MaxValue : UInt128.MaxValue;

    /// <summary>The network mask as a number of the family's width (ones in the prefix, zeros in the host bits).</summary>
    private static UInt128 Mask(AddressFamily family, int prefixLength)
    {
        int hostBits = AddressBits(family) - prefixLength;
        return hostBits >= 128 ? UInt128.Zero : AllOnes(family) & ~((UInt128.One << hostBits) - 1);
    }

    private static bool IsAsciiDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
