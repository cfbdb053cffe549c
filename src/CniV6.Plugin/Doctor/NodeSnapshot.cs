using System.Net.Sockets;
using CniV6.Netlink;

namespace CniV6.Plugin.Doctor;

/// <summary>The node's links and main-table routes, read once through our netlink codec for every check.</summary>
internal sealed class NodeSnapshot
{
    private NodeSnapshot(IReadOnlyList<LinkInfo> links, IReadOnlyList<RouteInfo> ipv6Routes, IReadOnlyList<RouteInfo> ipv4Routes)
    {
        Links = links;
        Ipv6Routes = ipv6Routes;
        Ipv4Routes = ipv4Routes;
    }

    public IReadOnlyList<LinkInfo> Links { get; }

    public IReadOnlyList<RouteInfo> Ipv6Routes { get; }

    public IReadOnlyList<RouteInfo> Ipv4Routes { get; }

    public static NodeSnapshot Read()
    {
        using var rt = RtNetlink.Open();
        return new NodeSnapshot(rt.ListLinks(), rt.ListRoutes(AddressFamily.InterNetworkV6), rt.ListRoutes(AddressFamily.InterNetwork));
    }

    public IReadOnlyList<RouteInfo> Routes(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? Ipv6Routes : Ipv4Routes;

    /// <summary>Default routes of the family that leave through an interface (not blackhole/unreachable entries).</summary>
    public IReadOnlyList<RouteInfo> DefaultRoutes(AddressFamily family) =>
        [.. Routes(family).Where(r => r.Destination.PrefixLength == 0 && r.OutputIndex > 0)];

    public LinkInfo? Link(int index) => Links.FirstOrDefault(l => l.Index == index);

    /// <summary>The interface of the default route, IPv6 first (the plugin's <see cref="Core.Pod.NodeMtu"/> rule).</summary>
    public LinkInfo? Uplink() =>
        DefaultRoutes(AddressFamily.InterNetworkV6).Concat(DefaultRoutes(AddressFamily.InterNetwork))
            .Select(r => Link(r.OutputIndex))
            .FirstOrDefault(l => l is not null);
}
