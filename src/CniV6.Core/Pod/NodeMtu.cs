using System.Net;
using System.Net.Sockets;
using CniV6.Netlink;

namespace CniV6.Core.Pod;

/// <summary>
/// The MTU a pod gets when the config names none: that of the node's uplink (the interface of its default
/// route, IPv6 first), so pods never send frames the node cannot forward without fragmenting.
/// </summary>
public static class NodeMtu
{
    public const int Fallback = 1500;

    public static int Detect(RtNetlink rt)
    {
        ArgumentNullException.ThrowIfNull(rt);
        // IPv6 first, with one lookup of "::": the longest prefix covering it is the default route (unless someone
        // routes a ::/n of their own — then, as for IPv4, whose 0.0.0.0 the kernel answers as a local address, the
        // table is read). A dump costs more with every pod on the node; the lookup does not.
        if (TryLookupDefault(rt) is { OutputIndex: > 0 } ipv6Default
            && rt.GetLink(ipv6Default.OutputIndex) is { Mtu: > 0 } ipv6Uplink)
        {
            return ipv6Uplink.Mtu;
        }

        foreach (var family in (ReadOnlySpan<AddressFamily>)[AddressFamily.InterNetworkV6, AddressFamily.InterNetwork])
        {
            var defaultRoute = rt.ListRoutes(family).FirstOrDefault(r => r.Destination.PrefixLength == 0 && r.OutputIndex > 0);
            if (defaultRoute is not null && rt.GetLink(defaultRoute.OutputIndex) is { Mtu: > 0 } uplink)
            {
                return uplink.Mtu;
            }
        }

        return Fallback;
    }

    /// <summary>The IPv6 default route by lookup; null when the answer is anything else (or IPv6 is absent).</summary>
    private static RouteInfo? TryLookupDefault(RtNetlink rt)
    {
        try
        {
            return rt.LookupRoute(IPAddress.IPv6Any) is { Destination.PrefixLength: 0 } route ? route : null;
        }
        catch (NetlinkException)
        {
            return null;
        }
    }
}
