using System.Net;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane;

/// <summary>
/// An on-link prefix of this node: an interface address with its prefix length, plus the link's MTU and name (the
/// name is what logs show; the index is what routes use).
/// </summary>
internal sealed record LocalPrefix(int InterfaceIndex, IPAddress Address, IPNetwork Prefix, int Mtu, string? InterfaceName = null)
{
    /// <summary>The interface as a person knows it: its name, or "ifindex N" when the name was not read.</summary>
    public string Device => InterfaceName ?? DeviceText(InterfaceIndex, null);

    public static LocalPrefix Of(int interfaceIndex, IPAddress address, int prefixLength, int mtu, string? interfaceName = null) =>
        new(interfaceIndex, address, Cidr.NetworkOf(address, prefixLength), mtu, interfaceName);

    /// <summary>The name of interface <paramref name="index"/> among <paramref name="links"/>, else "ifindex N".</summary>
    public static string DeviceText(int index, IEnumerable<LocalPrefix>? links) =>
        links?.FirstOrDefault(l => l.InterfaceIndex == index && l.InterfaceName is not null)?.InterfaceName ?? $"ifindex {index}";
}
