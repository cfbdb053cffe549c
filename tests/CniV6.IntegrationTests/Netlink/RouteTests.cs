using System.Net;
using System.Net.Sockets;
using CniV6.Netlink;

namespace CniV6.IntegrationTests.Netlink;

public sealed class RouteTests
{
    private static readonly IPAddress GatewayV6 = IPAddress.Parse("fe80::ecee:eeff:feee:eeee");
    private static readonly IPAddress GatewayV4 = IPAddress.Parse("169.254.1.1");

    [Fact]
    public void A_route_with_protocol_198_is_added_listed_and_deleted()
    {
        using var pair = new VethPair();
        var destination = IPNetwork.Parse("2001:db8:1::5/128");

        var (listed, deleted, deletedAgain, after) = pair.InA(rt =>
        {
            int index = UpLink(rt);
            var route = new RouteInfo(destination, null, index, Protocol: RouteProtocol.CniV6);
            rt.AddRoute(route);
            RouteInfo? found = rt.ListRoutes(AddressFamily.InterNetworkV6).SingleOrDefault(r => r.Destination == destination);
            return (found, rt.DeleteRoute(route), rt.DeleteRoute(route), rt.ListRoutes(AddressFamily.InterNetworkV6));
        });

        Assert.NotNull(listed);
        Assert.Equal(RouteProtocol.CniV6, listed.Protocol);
        Assert.Equal(RouteTable.Main, listed.Table);
        Assert.Null(listed.Gateway);
        Assert.True(deleted);
        Assert.False(deletedAgain);
        Assert.DoesNotContain(after, r => r.Destination == destination);
    }

    [Fact]
    public void The_kernel_reports_our_protocol_number_to_other_tools()
    {
        using var pair = new VethPair();

        pair.InA(rt => rt.AddRoute(new RouteInfo(IPNetwork.Parse("2001:db8:2::/64"), null, UpLink(rt), Protocol: RouteProtocol.CniV6)));

        Assert.Contains("2001:db8:2::/64 dev cv6t-a proto 198", pair.A.Exec("ip", "-6", "route", "show"));
    }

    [Fact]
    public void Default_routes_via_link_local_gateways_round_trip_for_both_families()
    {
        using var pair = new VethPair();

        var (v6, v4) = pair.InA(rt =>
        {
            int index = UpLink(rt);
            rt.AddAddress(index, IPAddress.Parse("10.0.0.2"), 32);
            rt.ReplaceRoute(new RouteInfo(new IPNetwork(GatewayV4, 32), null, index, RouteScope.Link));
            rt.ReplaceRoute(new RouteInfo(new IPNetwork(IPAddress.Any, 0), GatewayV4, index));
            rt.ReplaceRoute(new RouteInfo(new IPNetwork(IPAddress.IPv6Any, 0), GatewayV6, index));
            rt.ReplaceRoute(new RouteInfo(new IPNetwork(IPAddress.IPv6Any, 0), GatewayV6, index));
            return (rt.ListRoutes(AddressFamily.InterNetworkV6), rt.ListRoutes(AddressFamily.InterNetwork));
        });

        RouteInfo defaultV6 = Assert.Single(v6, r => r.Destination.PrefixLength == 0);
        Assert.Equal(GatewayV6, defaultV6.Gateway);
        Assert.Equal(IPAddress.IPv6Any, defaultV6.Destination.BaseAddress);
        RouteInfo defaultV4 = Assert.Single(v4, r => r.Destination.PrefixLength == 0);
        Assert.Equal(GatewayV4, defaultV4.Gateway);
        RouteInfo onLink = Assert.Single(v4, r => r.Destination == new IPNetwork(GatewayV4, 32));
        Assert.Equal(RouteScope.Link, onLink.Scope);
        Assert.Equal(defaultV4.OutputIndex, onLink.OutputIndex);
    }

    [Fact]
    public void Adding_an_existing_route_fails_with_EEXIST_while_replacing_it_does_not()
    {
        using var pair = new VethPair();

        var ex = Assert.Throws<NetlinkException>(() => pair.InA(rt =>
        {
            var route = new RouteInfo(IPNetwork.Parse("2001:db8:3::/64"), null, UpLink(rt), Protocol: RouteProtocol.CniV6);
            rt.AddRoute(route);
            rt.ReplaceRoute(route);
            rt.AddRoute(route);
        }));

        Assert.Equal(17, ex.Errno);
    }

    [Fact]
    public void The_kernels_extended_ack_text_is_carried_by_the_exception()
    {
        using var pair = new VethPair();

        var ex = Assert.Throws<NetlinkException>(() => pair.InA(rt =>
            rt.AddRoute(new RouteInfo(IPNetwork.Parse("2001:db8:6::/64"), null, rt.GetLink(VethPair.Name)!.Index))));

        // The link is down; the kernel explains which check failed.
        Assert.Equal("Nexthop device is not up", ex.ExtendedAck);
        Assert.Contains("Nexthop device is not up", ex.Message);
    }

    [Fact]
    public void ListRoutes_filters_by_table_including_tables_above_255()
    {
        using var pair = new VethPair();
        var destination = IPNetwork.Parse("2001:db8:4::/64");

        var (inMain, inTable, inBig, everywhere) = pair.InA(rt =>
        {
            int index = UpLink(rt);
            rt.AddRoute(new RouteInfo(destination, null, index, Table: 100));
            rt.AddRoute(new RouteInfo(destination, null, index, Table: 1000));
            return (rt.ListRoutes(AddressFamily.InterNetworkV6),
                rt.ListRoutes(AddressFamily.InterNetworkV6, 100),
                rt.ListRoutes(AddressFamily.InterNetworkV6, 1000),
                rt.ListRoutes(AddressFamily.InterNetworkV6, RouteTable.Unspecified));
        });

        Assert.DoesNotContain(inMain, r => r.Destination == destination);
        Assert.Equal(100, Assert.Single(inTable).Table);
        Assert.Equal(1000, Assert.Single(inBig).Table);
        Assert.Equal(2, everywhere.Count(r => r.Destination == destination));
    }

    [Fact]
    public void Priority_and_preferred_source_round_trip()
    {
        using var pair = new VethPair();

        RouteInfo listed = pair.InA(rt =>
        {
            int index = UpLink(rt);
            rt.AddAddress(index, IPAddress.Parse("2001:db8::a"), 128);
            rt.AddRoute(new RouteInfo(IPNetwork.Parse("2001:db8:5::/64"), null, index, PreferredSource: IPAddress.Parse("2001:db8::a"), Priority: 77));
            return rt.ListRoutes(AddressFamily.InterNetworkV6).Single(r => r.Destination == IPNetwork.Parse("2001:db8:5::/64"));
        });

        Assert.Equal(77u, listed.Priority);
        Assert.Equal(IPAddress.Parse("2001:db8::a"), listed.PreferredSource);
        Assert.Equal(RouteProtocol.Boot, listed.Protocol);
    }

    private static int UpLink(RtNetlink rt)
    {
        int index = rt.GetLink(VethPair.Name)!.Index;
        rt.SetLinkUp(index);
        return index;
    }
}
