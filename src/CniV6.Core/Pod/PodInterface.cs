using System.Net;
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
        if (rt.GetLink(ifName) is not null)
        {
            // The spec wants ADD to fail when the container already has the interface. Our own earlier
            // attempts were removed together with their host veth before we got here, so this one is foreign.
            throw new InterfaceExistsException(ifName);
        }

        rt.CreateVethPair(ifName, hostVethName, nodeNetNs, mtu, PodGateway.HostMac);
        return rt.GetLink(ifName) ?? throw new InvalidOperationException($"veth {ifName} vanished right after creation");
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
    /// Default routes through the link-local gateways. The gateways' neighbour entries are permanent, so the
    /// pod's first packet leaves at once instead of waiting for neighbour discovery.
    /// </summary>
    public static void AddRoutes(RtNetlink rt, LinkInfo link, PodAddresses addresses)
    {
        if (addresses.IPv4 is not null)
        {
            rt.AddNeighbor(link.Index, PodGateway.IPv4, PodGateway.HostMac, permanent: true);
            rt.ReplaceRoute(new RouteInfo(new IPNetwork(PodGateway.IPv4, 32), null, link.Index, RouteScope.Link));
            rt.ReplaceRoute(new RouteInfo(new IPNetwork(IPAddress.Any, 0), PodGateway.IPv4, link.Index));
        }

        if (addresses.IPv6 is not null)
        {
            rt.AddNeighbor(link.Index, PodGateway.IPv6, PodGateway.HostMac, permanent: true);
            rt.ReplaceRoute(new RouteInfo(new IPNetwork(IPAddress.IPv6Any, 0), PodGateway.IPv6, link.Index));
        }
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

        foreach (var address in addresses.All)
        {
            var family = address.AddressFamily;
            if (!rt.ListAddresses(family, link.Index).Any(a => a.Address.Equals(address)))
            {
                problems.Add($"address {address} is missing on {ifName}");
            }

            var gateway = PodGateway.For(family);
            var hasDefault = rt.ListRoutes(family).Any(r =>
                r.Destination.PrefixLength == 0 && gateway.Equals(r.Gateway) && r.OutputIndex == link.Index);
            if (!hasDefault)
            {
                problems.Add($"default route via {gateway} dev {ifName} is missing");
            }
        }

        return problems;
    }
}
