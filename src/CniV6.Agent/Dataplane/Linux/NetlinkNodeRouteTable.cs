using System.Net.Sockets;
using CniV6.Agent.Dataplane.Routing.HostGateway;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane.Linux;

/// <summary>
/// Host-gw routes over rtnetlink in the agent's network namespace. Ownership is the routing protocol number
/// (<see cref="RouteProtocol.CniV6"/>) plus a gateway: the plugin's per-pod routes carry the same protocol but
/// no gateway, and routes of any other protocol are never listed, so they can never be changed or deleted.
/// </summary>
internal sealed class NetlinkNodeRouteTable : INodeRouteTable
{
    private const int EEXIST = 17;

    private static readonly AddressFamily[] Families = [AddressFamily.InterNetworkV6, AddressFamily.InterNetwork];

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

    public bool TryAdd(NodeRoute route)
    {
        using var netlink = RtNetlink.Open();
        try
        {
            netlink.AddRoute(ToRouteInfo(route));
            return true;
        }
        catch (NetlinkException e) when (e.Errno == EEXIST)
        {
            return false;
        }
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
