using System.Diagnostics;
using System.Net;
using CniV6.IntegrationTests.Infrastructure;
using CniV6.Netlink;

namespace CniV6.IntegrationTests.Netlink;

/// <summary>
/// The requests the plugin's fast paths rely on, against the real kernel: taking a link down (what DEL does instead of
/// deleting the veth), proxy_arp set with link up, and route lookups instead of table dumps.
/// </summary>
public sealed class FastPathRequestTests
{
    private static readonly IPAddress PodV6 = IPAddress.Parse("fd00:10:244::5");
    private static readonly IPAddress PodV4 = IPAddress.Parse("10.244.0.5");

    [Fact]
    public void Taking_a_veth_down_drops_its_routes_and_neighbours_and_the_peer_loses_its_carrier_at_once()
    {
        using var pair = new VethPair();
        WireHostEnd(pair);

        bool found = pair.InA(rt => rt.SetLinkDownIfExists(VethPair.Name));

        Assert.True(found);
        Assert.Equal("", pair.A.Exec("ip", "-6", "route", "show", "dev", VethPair.Name).Trim());
        Assert.Equal("", pair.A.Exec("ip", "-4", "route", "show", "dev", VethPair.Name).Trim());
        Assert.Equal("", pair.A.Exec("ip", "neigh", "show", "dev", VethPair.Name).Trim());
        Assert.Null(pair.InA(rt => rt.LookupRoute(PodV6)));
        Assert.Contains("NO-CARRIER", pair.B.Exec("ip", "link", "show", VethPair.PeerName), StringComparison.Ordinal);

        // The same address can be routed to a new veth at once (`ip route add` would fail with EEXIST otherwise).
        pair.A.Exec("ip", "link", "add", "cv6t-new", "type", "veth", "peer", "name", "cv6t-newp");
        pair.A.Exec("ip", "link", "set", "cv6t-new", "up");
        pair.A.Exec("ip", "-6", "route", "add", PodV6 + "/128", "dev", "cv6t-new");
        pair.A.Exec("ip", "-4", "route", "add", PodV4 + "/32", "dev", "cv6t-new");
    }

    [Fact]
    public void Taking_down_a_link_that_is_not_there_is_false_without_an_error()
    {
        using var ns = new TestNetNs();

        Assert.False(NetlinkIn(ns, rt => rt.SetLinkDownIfExists("cv6t-none")));
        Assert.False(NetlinkIn(ns, rt => rt.DeleteLinkIfExists("cv6t-none")));
    }

    [Fact]
    public void A_veth_left_down_goes_away_with_the_peer_namespace()
    {
        var pair = new VethPair();
        try
        {
            Assert.True(pair.InA(rt => rt.SetLinkDownIfExists(VethPair.Name)));

            pair.B.Dispose();

            var waited = Stopwatch.StartNew();
            while (pair.InA(rt => rt.GetLink(VethPair.Name)) is not null && waited.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(20);
            }

            Assert.Null(pair.InA(rt => rt.GetLink(VethPair.Name)));
        }
        finally
        {
            pair.Dispose();
        }
    }

    [Fact]
    public void Link_up_with_proxy_arp_sets_the_devices_proxy_arp_in_one_request()
    {
        using var pair = new VethPair();
        int index = pair.InA(rt => rt.GetLink(VethPair.Name)!.Index);

        pair.InA(rt => rt.SetLinkUp(index, ipv4ProxyArp: true));

        Assert.Equal("1", pair.A.Exec("cat", $"/proc/sys/net/ipv4/conf/{VethPair.Name}/proxy_arp").Trim());
        Assert.True(pair.InA(rt => rt.GetLink(index)!.IsUp));
    }

    [Fact]
    public void LookupRoute_finds_the_host_route_of_one_address_and_the_default_route()
    {
        using var pair = new VethPair();
        WireHostEnd(pair);
        pair.A.Exec("ip", "-6", "route", "add", "default", "dev", VethPair.Name);
        int index = pair.InA(rt => rt.GetLink(VethPair.Name)!.Index);

        RouteInfo? v6 = pair.InA(rt => rt.LookupRoute(PodV6));
        RouteInfo? v4 = pair.InA(rt => rt.LookupRoute(PodV4));
        RouteInfo? other = pair.InA(rt => rt.LookupRoute(IPAddress.Parse("fd00:99::1")));
        RouteInfo? defaultRoute = pair.InA(rt => rt.LookupRoute(IPAddress.IPv6Any));
        RouteInfo? none = pair.InA(rt => rt.LookupRoute(IPAddress.Parse("10.99.0.1")));

        Assert.Equal(new IPNetwork(PodV6, 128), v6?.Destination);
        Assert.Equal(index, v6?.OutputIndex);
        Assert.Equal(RouteProtocol.CniV6, v6?.Protocol);
        Assert.Equal(new IPNetwork(PodV4, 32), v4?.Destination);
        Assert.Equal(0, other?.Destination.PrefixLength);
        Assert.Equal(0, defaultRoute?.Destination.PrefixLength);
        Assert.Null(none);
    }

    /// <summary>Host end up with the pod's /128 and /32 and a neighbour entry, as ADD leaves it.</summary>
    private static void WireHostEnd(VethPair pair)
    {
        pair.A.Exec("ip", "link", "set", VethPair.Name, "up");
        pair.B.Exec("ip", "link", "set", VethPair.PeerName, "up");
        pair.A.Exec("ip", "-6", "route", "add", PodV6 + "/128", "dev", VethPair.Name, "proto", "198");
        pair.A.Exec("ip", "-4", "route", "add", PodV4 + "/32", "dev", VethPair.Name, "proto", "198", "scope", "link");
        pair.A.Exec("ip", "neigh", "replace", PodV6.ToString(), "lladdr", "02:00:00:00:00:05", "dev", VethPair.Name, "nud", "permanent");
    }

    private static T NetlinkIn<T>(TestNetNs ns, Func<RtNetlink, T> work) => CniV6.Linux.NetNamespace.Run(ns.Path, () =>
    {
        using var rt = RtNetlink.Open();
        return work(rt);
    });
}
