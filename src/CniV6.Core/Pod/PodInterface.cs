using System.Net;
using System.Net.Sockets;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.Core.Pod;

/// <summary>
/// The pod's side of the wiring. Every method here must be called inside the pod's network namespace
/// (on the thread <see cref="NetNamespace.Run{T}(string, Func{T})"/> owns), with a netlink socket opened there.
/// </summary>
public static class PodInterface
{
    /// <summary>
    /// Creates the veth pair from inside the pod; the peer lands directly in the node's namespace under
    /// <paramref name="hostVethName"/>, with the fixed gateway MAC. One netlink request, no rename dance.
    /// </summary>
    public static LinkInfo CreateVeth(RtNetlink rt, string ifName, string hostVethName, SafeFd nodeNetNs, int mtu)
    {
        try
        {
            rt.CreateVethPair(ifName, hostVethName, nodeNetNs, mtu, PodGateway.HostMac);
        }
        catch (NetlinkException e) when (e.Errno == Errno.EEXIST && rt.GetLink(ifName) is not null)
        {
            // The spec wants ADD to fail when the container already has the interface. Our own earlier attempts
            // were removed together with their host veth before we got here, so this one is foreign. (Asked only
            // when the kernel refused: the common path needs no lookup first.)
            throw new InterfaceExistsException(ifName);
        }

        return rt.GetLink(ifName) ?? throw new InvalidOperationException($"veth {ifName} vanished right after creation");
    }

    /// <summary>
    /// True when <paramref name="ifName"/> is the only interface of the pod's namespace that is up, loopback aside:
    /// nothing else in the pod (a second attachment, another plugin's interface) could route into this one once it
    /// loses its carrier. Interfaces that are down (the fallback tunnels the kernel puts in every namespace) do not
    /// count. False when <paramref name="ifName"/> is not there.
    /// </summary>
    public static bool IsOnlyLiveInterface(RtNetlink rt, string ifName)
    {
        bool found = false;
        foreach (var link in rt.ListLinks())
        {
            if (link.Name == ifName)
            {
                found = true;
            }
            else if (link.IsUp && link.Name != "lo")
            {
                return false;
            }
        }

        return found;
    }

    /// <summary>Gives the pod its /128 and /32 and brings the interface up, with no duplicate address detection.</summary>
    public static void AssignAddresses(RtNetlink rt, LinkInfo link, PodAddresses addresses)
    {
        if (addresses.IPv6 is not null)
        {
            // Before link up, so the link-local the kernel generates then is usable at once too;
            // a veth to the node never takes router advertisements.
            Sysctl.TryWrite($"net/ipv6/conf/{link.Name}/accept_dad", "0");
            Sysctl.TryWrite($"net/ipv6/conf/{link.Name}/accept_ra", "0");
        }

        foreach (var address in addresses.All)
        {
            rt.AddAddress(link.Index, address, PodAddresses.HostPrefix(address).PrefixLength, noDad: true);
        }

        rt.SetLinkUp(link.Index);
    }

    /// <summary>
    /// Routes through the link-local gateways, and the destinations they cover. The pod's first attachment of a
    /// family gets the default route. A secondary attachment (net1 next to eth0, e.g. through Multus) never takes over
    /// a default route another interface already holds (CNI conventions: a plugin instance owns only what it
    /// installed): it gets routes to its own <paramref name="pools"/> instead, with a metric of its own, so deleting
    /// it later removes only its routes. The gateways' neighbour entries are permanent, so the pod's first packet
    /// leaves at once instead of waiting for neighbour discovery.
    /// </summary>
    /// <returns>The destinations routed through this interface (what the CNI result lists as routes).</returns>
    public static List<IPNetwork> AddRoutes(RtNetlink rt, LinkInfo link, PodAddresses addresses, IReadOnlyList<IPNetwork> pools)
    {
        var routed = new List<IPNetwork>();

        // One read of the pod's routes (both families) decides both: primary or secondary attachment.
        var existing = rt.ListRoutes(AddressFamily.Unspecified);
        if (addresses.IPv4 is not null)
        {
            rt.AddNeighbor(link.Index, PodGateway.IPv4, PodGateway.HostMac, permanent: true);
            if (HasDefaultRouteElsewhere(existing, AddressFamily.InterNetwork, link.Index))
            {
                // The same gateway address may already be on-link through the primary interface: this interface's
                // /32 gets its own metric, so the primary's stays (IPv4 routes are keyed by prefix and metric).
                uint metric = SecondaryMetric(link);
                rt.ReplaceRoute(new RouteInfo(new IPNetwork(PodGateway.IPv4, 32), null, link.Index, RouteScope.Link, Priority: metric));
                routed.AddRange(AddPoolRoutes(rt, link, PodGateway.IPv4, pools, AddressFamily.InterNetwork, metric));
            }
            else
            {
                rt.ReplaceRoute(new RouteInfo(new IPNetwork(PodGateway.IPv4, 32), null, link.Index, RouteScope.Link));
                rt.ReplaceRoute(new RouteInfo(new IPNetwork(IPAddress.Any, 0), PodGateway.IPv4, link.Index));
                routed.Add(new IPNetwork(IPAddress.Any, 0));
            }
        }

        if (addresses.IPv6 is not null)
        {
            rt.AddNeighbor(link.Index, PodGateway.IPv6, PodGateway.HostMac, permanent: true);
            if (HasDefaultRouteElsewhere(existing, AddressFamily.InterNetworkV6, link.Index))
            {
                routed.AddRange(AddPoolRoutes(rt, link, PodGateway.IPv6, pools, AddressFamily.InterNetworkV6, SecondaryMetric(link)));
            }
            else
            {
                rt.ReplaceRoute(new RouteInfo(new IPNetwork(IPAddress.IPv6Any, 0), PodGateway.IPv6, link.Index));
                routed.Add(new IPNetwork(IPAddress.IPv6Any, 0));
            }
        }

        return routed;
    }

    /// <summary>True when another interface of the pod holds a default route of <paramref name="family"/> (main table).</summary>
    public static bool HasDefaultRouteElsewhere(RtNetlink rt, AddressFamily family, int linkIndex) =>
        HasDefaultRouteElsewhere(rt.ListRoutes(family), family, linkIndex);

    private static bool HasDefaultRouteElsewhere(IReadOnlyList<RouteInfo> routes, AddressFamily family, int linkIndex) =>
        routes.Any(r => r.Destination.PrefixLength == 0 && r.Destination.BaseAddress.AddressFamily == family && r.OutputIndex != linkIndex);

    /// <summary>One metric per secondary interface: its routes never share a key with another interface's.</summary>
    private static uint SecondaryMetric(LinkInfo link) => 1000u + (uint)link.Index;

    private static List<IPNetwork> AddPoolRoutes(RtNetlink rt, LinkInfo link, IPAddress gateway, IReadOnlyList<IPNetwork> pools, AddressFamily family, uint metric)
    {
        var routed = new List<IPNetwork>();
        foreach (IPNetwork pool in pools.Where(p => p.BaseAddress.AddressFamily == family))
        {
            rt.ReplaceRoute(new RouteInfo(pool, gateway, link.Index, Priority: metric));
            routed.Add(pool);
        }

        return routed;
    }

    /// <summary>What CHECK finds wrong with the pod side; empty when all is in place.</summary>
    public static List<string> Verify(RtNetlink rt, string ifName, PodAddresses addresses)
    {
        var problems = new List<string>();
        var link = rt.GetLink(ifName);
        if (link is null)
        {
            problems.Add($"interface {ifName} is missing in the pod network namespace");
            return problems;
        }

        if (!link.IsUp)
        {
            problems.Add($"interface {ifName} is down");
        }

        // One read of each table for both families: the pod's own tables are small, but round trips are not free.
        var assigned = rt.ListAddresses(AddressFamily.Unspecified, link.Index);
        var allRoutes = rt.ListRoutes(AddressFamily.Unspecified);
        foreach (var address in addresses.All)
        {
            var family = address.AddressFamily;
            if (!assigned.Any(a => a.Address.Equals(address)))
            {
                problems.Add($"address {address} is missing on {ifName}");
            }

            var gateway = PodGateway.For(family);
            var routes = allRoutes.Where(r => r.Destination.BaseAddress.AddressFamily == family).ToList();
            var hasDefault = routes.Any(r =>
                r.Destination.PrefixLength == 0 && gateway.Equals(r.Gateway) && r.OutputIndex == link.Index);
            // A secondary attachment (another interface holds the default route) has routes to its pools instead.
            var isSecondary = !hasDefault
                && routes.Any(r => r.Destination.PrefixLength == 0 && r.OutputIndex != link.Index)
                && routes.Any(r => gateway.Equals(r.Gateway) && r.OutputIndex == link.Index);
            if (!hasDefault && !isSecondary)
            {
                problems.Add($"default route via {gateway} dev {ifName} is missing");
            }
        }

        return problems;
    }
}
