using System.Net;
using System.Net.Sockets;

namespace CniV6.Plugin.Cni;

/// <summary>
/// Strict CIDR text handling. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> alone accepts forms such
/// as "10.1" or "0x0a.0.0.1" and IPv6 scope ids, which have no place in a network configuration.
/// </summary>
internal static class Cidr
{
    /// <summary>Parses "address/prefix" (host bits allowed, as in "10.0.0.5/24").</summary>
    public static bool TryParse(string text, out IPAddress address, out int prefixLength)
    {
        address = IPAddress.None;
        prefixLength = 0;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !TryParseAddress(text[..slash], out address))
        {
            return false;
        }

        var prefixText = text.AsSpan(slash + 1);
        var maximum = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        return prefixText.Length is > 0 and <= 3
            && prefixText.ContainsOnlyAsciiDigits()
            && int.TryParse(prefixText, out prefixLength)
            && prefixLength <= maximum;
    }

    /// <summary>A plain IPv4 dotted quad or an IPv6 address without scope id.</summary>
    public static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(text, out var v6)
                || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = v6;
            return true;
        }

        var parts = text.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.AsSpan().ContainsOnlyAsciiDigits()))
        {
            return false;
        }

        if (!IPAddress.TryParse(text, out var v4) || v4.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        address = v4;
        return true;
    }

    /// <summary>The network containing <paramref name="address"/> (host bits cleared).</summary>
    public static IPNetwork ToNetwork(IPAddress address, int prefixLength)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        for (var bit = prefixLength; bit < length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPNetwork(new IPAddress(bytes), prefixLength);
    }

    public static string Format(IPAddress address, int prefixLength) => $"{address}/{prefixLength}";

    private static bool ContainsOnlyAsciiDigits(this ReadOnlySpan<char> text)
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
