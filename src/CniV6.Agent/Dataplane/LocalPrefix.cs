using System.Net;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane;

/// <summary>An on-link prefix of this node: an interface address with its prefix length, plus the link's MTU.</summary>
internal sealed record LocalPrefix(int InterfaceIndex, IPAddress Address, IPNetwork Prefix, int Mtu)
{
    public static LocalPrefix Of(int interfaceIndex, IPAddress address, int prefixLength, int mtu) =>
        new(interfaceIndex, address, Cidr.NetworkOf(address, prefixLength), mtu);
}
