using System.Net;

namespace CniV6.Agent.Dataplane;

/// <summary>An on-link prefix of this node: an interface address with its prefix length, plus the link's MTU.</summary>
internal sealed record LocalPrefix(int InterfaceIndex, IPAddress Address, IPNetwork Prefix, int Mtu)
{
    public static LocalPrefix Of(int interfaceIndex, IPAddress address, int prefixLength, int mtu) =>
        new(interfaceIndex, address, Masked(address, prefixLength), mtu);

    /// <summary>The network an interface address sits in (host bits cleared, as IPNetwork requires).</summary>
    internal static IPNetwork Masked(IPAddress address, int prefixLength)
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
}
