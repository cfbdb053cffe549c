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
}
