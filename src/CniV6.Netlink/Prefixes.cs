using System.Net;

namespace CniV6.Netlink;

/// <summary>Builds an <see cref="IPNetwork"/> from an address whose host bits may be set (IPNetwork rejects those).</summary>
internal static class Prefixes
{
    internal static IPNetwork Network(IPAddress address, int prefixLength)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int length) || prefixLength < 0 || prefixLength > length * 8)
        {
            throw new NetlinkDecodeException($"prefix length {prefixLength} does not fit {address}");
        }

        bytes = bytes[..length];
        for (int bit = prefixLength; bit < length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPNetwork(new IPAddress(bytes), prefixLength);
    }
}
