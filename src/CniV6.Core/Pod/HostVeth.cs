using System.Net;
using System.Net.Sockets;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.Core.Pod;

/// <summary>
/// The node's side of a pod's veth: gateway duties (link-local IPv6 via its fixed MAC, 169.254.1.1 for IPv4)
/// and the /128 and /32 routes that send the pod's traffic down this veth. Runs in the node's namespace.
/// </summary>
public static class HostVeth
{
    /// <summary>Host-route and gateway-address protocol tag, so our routes can be told apart from others'.</summary>
    private const byte Protocol = RouteProtocol.CniV6;

    /// <summary>
    /// Labels a freshly created host veth with its network and attachment (see <see cref="LinkAlias"/>). Done right
    /// after creation, before anything else, so that GC can attribute a veth whatever step a crashed ADD reached.
    /// </summary>
    public static void Label(RtNetlink rt, string name, string alias) => rt.SetLinkAlias(name, alias);

    /// <summary>
    /// DEL's fast way to cut a pod off: the host end goes down, which takes its /128 and /32 routes and its neighbour
    /// entries with it and leaves the pod's end without carrier, so the pod can neither send nor receive and its
    /// addresses are free for the next pod at once. The device pair itself goes when the runtime deletes the pod's
    /// namespace; deleting it here would wait for the kernel's rcu_barrier (~20 ms). False when there is none.
    /// </summary>
    public static bool Disconnect(RtNetlink rt, string name) => rt.SetLinkDownIfExists(name);

    public static void Configure(RtNetlink rt, string name, PodAddresses addresses)
    {
        var link = rt.GetLink(name) ?? throw new InvalidOperationException($"host veth {name} is missing after creation");

        if (addresses.IPv6 is not null)
        {
            // Before the link comes up: its EUI-64 link-local (the pod's gateway) must be usable at once,
            // and a veth toward one pod never takes router advertisements.
            Sysctl.TryWrite($"net/ipv6/conf/{name}/accept_dad", "0");
            Sysctl.TryWrite($"net/ipv6/conf/{name}/accept_ra", "0");
            // Explicit too, in case the node generates link-locals some other way (addr_gen_mode).
            AddAddressIfMissing(rt, link.Index, PodGateway.IPv6, 64);
        }

        if (addresses.IPv4 is not null)
        {
            // The pod's gateway 169.254.1.1 lives on every host veth (scope link, so the node never uses it as
            // a source elsewhere); proxy_arp (set with link up below) answers for anything else the pod asks for,
            // without delay.
            Sysctl.TryWrite($"net/ipv4/neigh/{name}/proxy_delay", "0");
            AddAddressIfMissing(rt, link.Index, PodGateway.IPv4, 32, RouteScope.Link);
        }

        rt.SetLinkUp(link.Index, ipv4ProxyArp: addresses.IPv4 is not null);

        foreach (var address in addresses.All)
        {
            var scope = address.AddressFamily == AddressFamily.InterNetwork ? RouteScope.Link : RouteScope.Universe;
            AddHostRoute(rt, link, new RouteInfo(PodAddresses.HostPrefix(address), null, link.Index, scope, Protocol));
        }
    }

    /// <summary>
    /// The pod's host route, never taking over someone else's: the veth is new (a retried ADD removed its old one with
    /// its routes), so a route to the same address that already exists belongs to another attachment — two networks
    /// with overlapping pools, a network renamed or its dataDir changed, both handing out the same address — or to
    /// the operator. Replacing it silently stole the other pod's traffic; now ADD fails naming the other owner.
    /// </summary>
    private static void AddHostRoute(RtNetlink rt, LinkInfo link, RouteInfo route)
    {
        // NLM_F_EXCL does the looking: no read of the node's table (which grows with its pods) on the common path.
        RouteInfo? existing;
        try
        {
            rt.AddRoute(route);
            return;
        }
        catch (NetlinkException e) when (e.Errno == Errno.EEXIST)
        {
            existing = FindHostRoute(rt, route.Destination);
        }

        if (existing is not null && existing.OutputIndex == link.Index)
        {
            return;
        }

        var owner = existing is null ? null : rt.GetLink(existing.OutputIndex);
        throw new AddressInUseException(route.Destination.BaseAddress, owner?.Name, owner?.Alias);
    }

    /// <summary>
    /// The main table's route to exactly <paramref name="prefix"/>, found with one lookup (its cost does not grow with
    /// the node's pods); only when the lookup answers something else (policy rules sent it to another table, or the
    /// route is not there) is the table read to be sure.
    /// </summary>
    private static RouteInfo? FindHostRoute(RtNetlink rt, IPNetwork prefix)
    {
        if (rt.LookupRoute(prefix.BaseAddress) is { } found && found.Destination.Equals(prefix) && found.Table == RouteTable.Main)
        {
            return found;
        }

        return rt.ListRoutes(prefix.BaseAddress.AddressFamily).FirstOrDefault(r => r.Destination.Equals(prefix));
    }

    /// <summary>What CHECK finds wrong on the node side; empty when all is in place.</summary>
    public static List<string> Verify(RtNetlink rt, string name, PodAddresses addresses)
    {
        var problems = new List<string>();
        var link = rt.GetLink(name);
        if (link is null)
        {
            problems.Add($"host veth {name} is missing");
            return problems;
        }

        if (!link.IsUp)
        {
            problems.Add($"host veth {name} is down");
        }

        foreach (var address in addresses.All)
        {
            var prefix = PodAddresses.HostPrefix(address);
            if (FindHostRoute(rt, prefix)?.OutputIndex != link.Index)
            {
                problems.Add($"host route {prefix} dev {name} is missing");
            }
        }

        return problems;
    }

    private static void AddAddressIfMissing(RtNetlink rt, int index, IPAddress address, int prefixLength, byte scope = RouteScope.Universe)
    {
        try
        {
            rt.AddAddress(index, address, prefixLength, noDad: true, scope: scope);
        }
        catch (NetlinkException e) when (e.Errno == Errno.EEXIST)
        {
            // Already there: the kernel generated the same EUI-64 link-local, or a retried ADD put it there.
        }
    }
}
