using System.Net;
using System.Net.Sockets;
using CniV6.Netlink;

namespace CniV6.IntegrationTests.Netlink;

public sealed class AddressTests
{
    [Fact]
    public void An_IPv6_address_added_with_NODAD_is_usable_at_once_while_one_without_is_tentative()
    {
        using var pair = new VethPair();
        pair.InB(rt => BringUp(rt, VethPair.PeerName));

        IReadOnlyList<AddressInfo> addresses = pair.InA(rt =>
        {
            int index = BringUp(rt, VethPair.Name);
            rt.AddAddress(index, IPAddress.Parse("2001:db8::1"), 128, noDad: true);
            rt.AddAddress(index, IPAddress.Parse("2001:db8::2"), 128, noDad: false);
            return rt.ListAddresses(AddressFamily.InterNetworkV6, index);
        });

        AddressInfo noDad = addresses.Single(a => a.Address.Equals(IPAddress.Parse("2001:db8::1")));
        AddressInfo withDad = addresses.Single(a => a.Address.Equals(IPAddress.Parse("2001:db8::2")));
        Assert.Equal(128, noDad.PrefixLength);
        Assert.Equal(RouteScope.Universe, noDad.Scope);
        Assert.NotEqual(0u, noDad.Flags & AddressFlags.NoDad);
        Assert.Equal(0u, noDad.Flags & AddressFlags.Tentative);
        Assert.NotEqual(0u, withDad.Flags & AddressFlags.Tentative);
    }

    [Fact]
    public void An_IPv4_address_is_listed_with_its_prefix_and_scope()
    {
        using var pair = new VethPair();

        IReadOnlyList<AddressInfo> addresses = pair.InA(rt =>
        {
            int index = rt.GetLink(VethPair.Name)!.Index;
            rt.AddAddress(index, IPAddress.Parse("10.20.30.40"), 32);
            rt.AddAddress(index, IPAddress.Parse("169.254.1.1"), 32, scope: RouteScope.Link);
            return rt.ListAddresses(AddressFamily.InterNetwork, index);
        });

        Assert.Contains(new AddressInfo(addresses[0].Index, IPAddress.Parse("10.20.30.40"), 32, RouteScope.Universe, addresses[0].Flags), addresses);
        Assert.Equal(RouteScope.Link, addresses.Single(a => a.Address.Equals(IPAddress.Parse("169.254.1.1"))).Scope);
        Assert.Contains("inet 10.20.30.40/32", pair.A.Exec("ip", "-4", "addr", "show", "dev", VethPair.Name));
    }

    [Fact]
    public void ListAddresses_filters_by_link_and_family()
    {
        using var pair = new VethPair();

        var (onVeth, everywhere, v4) = pair.InA(rt =>
        {
            int index = rt.GetLink(VethPair.Name)!.Index;
            rt.AddAddress(index, IPAddress.Parse("2001:db8::7"), 64);
            return (rt.ListAddresses(AddressFamily.InterNetworkV6, index),
                rt.ListAddresses(AddressFamily.InterNetworkV6),
                rt.ListAddresses(AddressFamily.InterNetwork, index));
        });

        Assert.Equal([IPAddress.Parse("2001:db8::7")], onVeth.Select(a => a.Address));
        Assert.Contains(everywhere, a => a.Address.Equals(IPAddress.IPv6Loopback));
        Assert.Empty(v4);
    }

    [Fact]
    public void Adding_the_same_address_twice_fails_with_EEXIST()
    {
        using var pair = new VethPair();

        var ex = Assert.Throws<NetlinkException>(() => pair.InA(rt =>
        {
            int index = rt.GetLink(VethPair.Name)!.Index;
            rt.AddAddress(index, IPAddress.Parse("2001:db8::9"), 128);
            rt.AddAddress(index, IPAddress.Parse("2001:db8::9"), 128);
        }));

        Assert.Equal(17, ex.Errno);
    }

    private static int BringUp(RtNetlink rt, string name)
    {
        int index = rt.GetLink(name)!.Index;
        rt.SetLinkUp(index);
        return index;
    }
}
