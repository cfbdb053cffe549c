using System.Net.Sockets;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane.Linux;

/// <summary>
/// Host-gw routes over rtnetlink in the agent's network namespace. Ownership is the routing protocol number
/// (<see cref="RouteProtocol.CniV6"/>) plus a gateway: the plugin's per-pod routes carry the same protocol but
/// no gateway, and routes of any other protocol are never listed, so they can never be changed or deleted.
/// </summary>
internal sealed class NetlinkNodeRouteTable : INodeRouteTable
{
    private static readonly AddressFamily[] Families = [AddressFamily.InterNetworkV6, AddressFamily.InterNetwork];

    public IReadOnlyList<LocalPrefix> ListLocalPrefixes()
    {
        using var netlink = RtNetlink.Open();
        var mtus = netlink.ListLinks().ToDictionary(l => l.Index, l => l.Mtu);
        var prefixes = new List<LocalPrefix>();
        foreach (var family in Families)
        {
            foreach (var address in netlink.ListAddresses(family))
            {
                if (address.Scope == RouteScope.Universe && mtus.TryGetValue(address.Index, out var mtu))
                {
                    prefixes.Add(LocalPrefix.Of(address.Index, address.Address, address.PrefixLength, mtu));
                }
            }
        }

        return prefixes;
    }

    public IReadOnlyList<NodeRoute> ListOwnedRoutes()
    {
        using var netlink = RtNetlink.Open();
        var owned = new List<NodeRoute>();
        foreach (var family in Families)
        {
            foreach (var route in netlink.ListRoutes(family))
            {
                if (route.Protocol == RouteProtocol.CniV6 && route.Gateway is { } gateway && route.Table == RouteTable.Main)
                {
                    owned.Add(new NodeRoute(route.Destination, gateway, route.OutputIndex));
                }
            }
        }

        return owned;
    }

    public void Replace(NodeRoute route)
    {
        using var netlink = RtNetlink.Open();
        netlink.ReplaceRoute(ToRouteInfo(route));
    }

    public void Delete(NodeRoute route)
    {
        using var netlink = RtNetlink.Open();
        netlink.DeleteRoute(ToRouteInfo(route));
    }

    private static RouteInfo ToRouteInfo(NodeRoute route) =>
        new(route.Destination, route.Gateway, route.OutputIndex, RouteScope.Universe, RouteProtocol.CniV6, RouteTable.Main);
}
