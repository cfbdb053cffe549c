using System.Net;
using System.Net.Sockets;
using CniV6.Netlink;

namespace CniV6.Plugin.Cni;

/// <summary>
/// An entry of a result's <c>"ips"</c>. <c>address</c> is an address with its prefix length, host bits kept
/// ("10.1.2.5/24" from host-local, "fd00::5/128" from us), which an <see cref="IPNetwork"/> cannot hold.
/// </summary>
/// <param name="Interface">Index into the result's interfaces; null in a delegated IPAM plugin's result.</param>
internal sealed record CniIpConfig(IPAddress Address, int PrefixLength, IPAddress? Gateway = null, int? Interface = null)
{
    /// <summary>For host routes and other canonical networks: the address is <paramref name="address"/>'s base address.</summary>
    public CniIpConfig(IPNetwork address, IPAddress? gateway = null, int? @interface = null)
        : this(address.BaseAddress, address.PrefixLength, gateway, @interface)
    {
    }

    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>The network the address lies in (host bits cleared), e.g. a delegated pool's subnet.</summary>
    public IPNetwork Network => Cidr.NetworkOf(Address, PrefixLength);
}
