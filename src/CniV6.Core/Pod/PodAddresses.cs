using System.Net;
using System.Net.Sockets;

namespace CniV6.Core.Pod;

/// <summary>The addresses one pod attachment gets: at most one per family.</summary>
public sealed record PodAddresses(IPAddress? IPv6, IPAddress? IPv4)
{
    public static PodAddresses From(IEnumerable<IPAddress> addresses)
    {
        IPAddress? v6 = null, v4 = null;
        foreach (var address in addresses)
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                v6 ??= address;
            }
            else
            {
                v4 ??= address;
            }
        }

        return new PodAddresses(v6, v4);
    }

    public IEnumerable<IPAddress> All
    {
        get
        {
            if (IPv6 is not null)
            {
                yield return IPv6;
            }

            if (IPv4 is not null)
            {
                yield return IPv4;
            }
        }
    }

    /// <summary>The host route prefix of an address: /128 or /32.</summary>
    public static IPNetwork HostPrefix(IPAddress address) =>
        new(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
}
