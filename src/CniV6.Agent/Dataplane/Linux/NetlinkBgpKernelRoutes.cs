using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Dataplane.Routing.Bgp;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane.Linux;

/// <summary>BIRD's routes for the bgp mode over rtnetlink: main table, protocol 12 (bird), priority 198.</summary>
internal sealed class NetlinkBgpKernelRoutes : IBgpKernelRoutes
{
    private static readonly AddressFamily[] Families = [AddressFamily.InterNetworkV6, AddressFamily.InterNetwork];

    public IReadOnlyList<IPNetwork> ListInstalled()
    {
        using var netlink = RtNetlink.Open();
        return [.. Families.SelectMany(f => netlink.ListRoutes(f)).Where(IsOurs).Select(r => r.Destination).Distinct()];
    }

    public void DeleteInstalled()
    {
        using var netlink = RtNetlink.Open();
        foreach (var route in Families.SelectMany(f => netlink.ListRoutes(f)).Where(IsOurs).ToArray())
        {
            // Destination, protocol, table and priority: the kernel deletes nothing that differs in any of them. An
            // ECMP route may be listed once per next hop; a delete that finds it gone already returns false.
            netlink.DeleteRoute(new RouteInfo(route.Destination, null, 0, RouteScope.Universe, BirdConfigRenderer.BirdRouteProtocol,
                                              RouteTable.Main, Priority: BirdConfigRenderer.KernelMetric));
        }
    }

    private static bool IsOurs(RouteInfo route) =>
        route.Protocol == BirdConfigRenderer.BirdRouteProtocol && route.Table == RouteTable.Main
        && route.Priority == BirdConfigRenderer.KernelMetric;
}
