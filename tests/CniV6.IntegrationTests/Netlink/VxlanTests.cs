using System.Net;
using System.Net.Sockets;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.IntegrationTests.Netlink;

/// <summary>
/// The vxlan link kind, its FDB, neighbours on it and onlink routes through it, against the kernel: two throwaway
/// namespaces whose veth pair is the underlay (fd00:99::1 in A, fd00:99::2 in B; 192.0.2.1 / 192.0.2.2).
/// </summary>
public sealed class VxlanTests
{
    private const string Device = "cv6t-vx";
    private static readonly byte[] MacA = [0x0e, 0xc6, 0, 0, 0, 1];
    private static readonly byte[] MacB = [0x0e, 0xc6, 0, 0, 0, 2];
    private static readonly IPAddress UnderlayA6 = IPAddress.Parse("fd00:99::1");
    private static readonly IPAddress UnderlayB6 = IPAddress.Parse("fd00:99::2");
    private static readonly IPAddress UnderlayA4 = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress UnderlayB4 = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void A_vxlan_device_over_IPv6_is_created_and_read_back_with_its_settings_mtu_and_mac()
    {
        using var pair = Underlay();
        var wanted = new VxlanSettings(4096, UnderlayA6, 4789);

        LinkInfo link = pair.InA(rt =>
        {
            rt.CreateVxlan(Device, wanted, 1330, MacA);
            return rt.GetLink(Device)!;
        });

        Assert.Equal("vxlan", link.Kind);
        Assert.Equal(1330, link.Mtu);
        Assert.Equal(MacA, link.Mac);
        Assert.NotNull(link.Vxlan);
        Assert.True(wanted.IsSatisfiedBy(link.Vxlan), $"read back {link.Vxlan}");
        Assert.False(link.Vxlan.Learning);
        Assert.False(link.Vxlan.ZeroChecksum6Tx);
        string details = pair.A.Exec("ip", "-d", "link", "show", Device);
        Assert.Contains("vxlan id 4096 local fd00:99::1", details);
        Assert.Contains("dstport 4789", details);
        Assert.Contains("nolearning", details);
    }

    [Fact]
    public void A_vxlan_device_over_IPv4_bound_to_its_underlay_link_is_read_back_in_the_link_dump()
    {
        using var pair = Underlay();

        LinkInfo link = pair.InA(rt =>
        {
            int underlay = rt.GetLink(VethPair.Name)!.Index;
            rt.CreateVxlan(Device, new VxlanSettings(16_777_215, UnderlayA4, 8472, Learning: true, UnderlayIndex: underlay, UdpChecksum: true), 0, []);
            return rt.ListLinks().Single(l => l.Name == Device);
        });

        Assert.Equal(new VxlanSettings(16_777_215, UnderlayA4, 8472, true, link.Vxlan!.UnderlayIndex, true, false, false), link.Vxlan);
        Assert.NotEqual(0, link.Vxlan.UnderlayIndex);

        // The kernel's own MTU: the underlay's 1400 less 50 bytes of IPv4 + UDP + VXLAN + inner Ethernet headers.
        Assert.Equal(1350, link.Mtu);
        Assert.Contains("vxlan id 16777215 local 192.0.2.1 dev cv6t-a", pair.A.Exec("ip", "-d", "link", "show", Device));
    }

    [Fact]
    public void The_same_VNI_local_address_and_port_twice_fails_with_EEXIST()
    {
        using var pair = Underlay();
        var settings = new VxlanSettings(4096, UnderlayA6, 4789);

        var ex = Assert.Throws<NetlinkException>(() => pair.InA(rt =>
        {
            rt.CreateVxlan(Device, settings, 0, []);
            rt.SetLinkUp(rt.GetLink(Device)!.Index);
            rt.CreateVxlan("cv6t-vx2", settings, 0, []);
            rt.SetLinkUp(rt.GetLink("cv6t-vx2")!.Index);
        }));

        Assert.Equal(Errno.EEXIST, ex.Errno);
    }

    [Fact]
    public void FDB_entries_are_added_listed_replaced_and_deleted_for_both_underlay_families()
    {
        using var pair = Underlay();
        byte[] macC = [0x0e, 0xc6, 0, 0, 0, 3];

        var (listed, replaced, deleted, deletedAgain, after) = pair.InA(rt =>
        {
            rt.CreateVxlan(Device, new VxlanSettings(4096, UnderlayA6, 4789), 0, MacA);
            int index = rt.GetLink(Device)!.Index;
            rt.AddFdbEntry(index, MacB, UnderlayB6);
            rt.AddFdbEntry(index, macC, IPAddress.Parse("fd00:99::3"));
            IReadOnlyList<FdbEntry> listed = rt.ListFdbEntries(index);

            // The peer moved: the same MAC gets the new address, the old one is gone.
            rt.AddFdbEntry(index, macC, IPAddress.Parse("fd00:99::4"));
            IReadOnlyList<FdbEntry> replaced = rt.ListFdbEntries(index);
            bool deleted = rt.DeleteFdbEntry(index, macC, IPAddress.Parse("fd00:99::4"));
            bool deletedAgain = rt.DeleteFdbEntry(index, macC, IPAddress.Parse("fd00:99::4"));
            return (listed, replaced, deleted, deletedAgain, rt.ListFdbEntries(index));
        });

        Assert.Equal(
            ["0ec600000002 fd00:99::2", "0ec600000003 fd00:99::3"],
            listed.Select(Describe).Order());
        Assert.All(listed, e => Assert.Equal(NeighborState.Permanent, e.State));
        Assert.Equal(["0ec600000002 fd00:99::2", "0ec600000003 fd00:99::4"], replaced.Select(Describe).Order());
        Assert.True(deleted);
        Assert.False(deletedAgain);
        Assert.Equal(["0ec600000002 fd00:99::2"], after.Select(Describe));
        string bridge = pair.A.Exec("bridge", "fdb", "show", "dev", Device);
        Assert.Contains("0e:c6:00:00:00:02 dst fd00:99::2 self permanent", bridge);
        Assert.DoesNotContain("0e:c6:00:00:00:03", bridge);

        IReadOnlyList<FdbEntry> v4 = pair.InA(rt =>
        {
            rt.CreateVxlan("cv6t-vx4", new VxlanSettings(4097, UnderlayA4, 4789), 0, []);
            int index = rt.GetLink("cv6t-vx4")!.Index;
            rt.AddFdbEntry(index, MacB, UnderlayB4);
            return rt.ListFdbEntries(index);
        });
        Assert.Equal(["0ec600000002 192.0.2.2"], v4.Select(Describe));
    }

    [Fact]
    public void Neighbours_on_a_vxlan_device_are_listed_per_link_and_deleted()
    {
        using var pair = Underlay();

        var (onDevice, all, deleted, deletedAgain, after) = pair.InA(rt =>
        {
            rt.CreateVxlan(Device, new VxlanSettings(4096, UnderlayA6, 4789), 0, MacA);
            int index = rt.GetLink(Device)!.Index;
            rt.SetLinkUp(index);
            rt.AddNeighbor(index, IPAddress.Parse("fd00:ff::2"), MacB, permanent: true);
            rt.AddNeighbor(index, IPAddress.Parse("10.255.0.2"), MacB, permanent: true);
            rt.AddNeighbor(rt.GetLink(VethPair.Name)!.Index, IPAddress.Parse("fd00:99::9"), MacB, permanent: true);
            IReadOnlyList<NeighborInfo> onDevice = rt.ListNeighbors(AddressFamily.Unspecified, index);
            IReadOnlyList<NeighborInfo> all = rt.ListNeighbors(AddressFamily.InterNetworkV6);
            bool deleted = rt.DeleteNeighbor(index, IPAddress.Parse("10.255.0.2"));
            return (onDevice, all, deleted, rt.DeleteNeighbor(index, IPAddress.Parse("10.255.0.2")), rt.ListNeighbors(AddressFamily.InterNetwork, index));
        });

        // An up device joins multicast groups (MLD, e.g. ff02::16) and the kernel adds NOARP entries for them on its own
        // schedule: only the unicast entries are ours to compare.
        var ours = onDevice.Where(n => !n.Address.IsIPv6Multicast).ToList();
        Assert.Equal(["10.255.0.2", "fd00:ff::2"], ours.Select(n => n.Address.ToString()).Order());
        Assert.All(ours, n => Assert.Equal(NeighborState.Permanent, n.State));
        Assert.All(ours, n => Assert.Equal(MacB, n.Mac));
        Assert.Contains(all, n => n.Address.Equals(IPAddress.Parse("fd00:99::9")));
        Assert.True(deleted);
        Assert.False(deletedAgain);
        Assert.Empty(after);
    }

    [Fact]
    public void An_onlink_route_via_an_address_no_subnet_covers_is_added_and_read_back_while_without_onlink_it_fails()
    {
        using var pair = Underlay();
        var v6 = new RouteInfo(IPNetwork.Parse("fd00:10:249::/64"), IPAddress.Parse("fd00:ff::2"), 0, Protocol: RouteProtocol.CniV6, OnLink: true);
        var v4 = new RouteInfo(IPNetwork.Parse("10.249.0.0/24"), IPAddress.Parse("10.255.0.2"), 0, Protocol: RouteProtocol.CniV6, OnLink: true);

        var (withoutOnLink, routes6, routes4) = pair.InA(rt =>
        {
            rt.CreateVxlan(Device, new VxlanSettings(4096, UnderlayA6, 4789), 0, MacA);
            int index = rt.GetLink(Device)!.Index;
            rt.SetLinkUp(index);
            NetlinkException? failure = null;
            try
            {
                rt.AddRoute(v4 with { OutputIndex = index, OnLink = false });
            }
            catch (NetlinkException e)
            {
                failure = e;
            }

            rt.AddRoute(v6 with { OutputIndex = index });
            rt.ReplaceRoute(v4 with { OutputIndex = index });
            return (failure, rt.ListRoutes(AddressFamily.InterNetworkV6), rt.ListRoutes(AddressFamily.InterNetwork));
        });

        Assert.NotNull(withoutOnLink);
        RouteInfo read6 = Assert.Single(routes6, r => r.Destination == v6.Destination);
        Assert.True(read6.OnLink);
        Assert.Equal(v6.Gateway, read6.Gateway);
        RouteInfo read4 = Assert.Single(routes4, r => r.Destination == v4.Destination);
        Assert.Equal(v4 with { OutputIndex = read4.OutputIndex }, read4);
        Assert.Contains("10.249.0.0/24 via 10.255.0.2 dev cv6t-vx proto 198 onlink", pair.A.Exec("ip", "-4", "route", "show"));
        Assert.Contains("fd00:10:249::/64 via fd00:ff::2 dev cv6t-vx proto 198", pair.A.Exec("ip", "-6", "route", "show"));
    }

    [Fact]
    public void Tx_checksum_offload_of_a_vxlan_device_is_turned_off_and_on()
    {
        using var pair = Underlay();

        var (before, off, on) = pair.InA(rt =>
        {
            rt.CreateVxlan(Device, new VxlanSettings(4096, UnderlayA6, 4789), 0, []);
            bool before = Ethtool.GetTxChecksumOffload(Device);
            Ethtool.SetTxChecksumOffload(Device, false);
            bool off = Ethtool.GetTxChecksumOffload(Device);
            Ethtool.SetTxChecksumOffload(Device, true);
            return (before, off, Ethtool.GetTxChecksumOffload(Device));
        });

        Assert.True(before);
        Assert.False(off);
        Assert.True(on);
        var missing = Assert.Throws<LinuxException>(() => pair.InA(_ => Ethtool.GetTxChecksumOffload("cv6t-none")));
        Assert.Equal(Errno.ENODEV, missing.Errno);
    }

    /// <summary>
    /// Everything together, as the overlay uses it: a packet from A's "pod" address to B's is routed onlink via B's
    /// tunnel address, resolved by the permanent neighbour to B's tunnel MAC, sent by the FDB entry to B's node
    /// address, and B answers the same way. Both inner families over each underlay family.
    /// </summary>
    [Theory]
    [InlineData(AddressFamily.InterNetworkV6)]
    [InlineData(AddressFamily.InterNetwork)]
    public void Pods_behind_two_vxlan_devices_ping_each_other_through_static_FDB_neighbour_and_onlink_routes(AddressFamily underlay)
    {
        using var pair = Underlay();
        bool v6 = underlay == AddressFamily.InterNetworkV6;
        IPAddress nodeA = v6 ? UnderlayA6 : UnderlayA4;
        IPAddress nodeB = v6 ? UnderlayB6 : UnderlayB4;

        pair.InA(rt => Tunnel(rt, nodeA, MacA, "10.248.0.1", "fd00:10:248::1", peer: nodeB, MacB, "10.255.0.2", "fd00:ff::2", "10.249.0.0/24", "fd00:10:249::/64"));
        pair.InB(rt =>
        {
            Tunnel(rt, nodeB, MacB, "10.249.0.1", "fd00:10:249::1", peer: nodeA, MacA, "10.255.0.1", "fd00:ff::1", "10.248.0.0/24", "fd00:10:248::/64");
            return true;
        });

        pair.A.Exec("ping", "-c", "1", "-W", "5", "-I", "10.248.0.1", "10.249.0.1");
        pair.A.Exec("ping", "-6", "-c", "1", "-W", "5", "-I", "fd00:10:248::1", "fd00:10:249::1");

        // It went through the tunnel: B's vxlan device received it.
        Assert.Contains("RX:", pair.B.Exec("ip", "-s", "link", "show", Device));
        Assert.NotEqual("0", pair.B.Exec("cat", $"/sys/class/net/{Device}/statistics/rx_packets").Trim());
    }

    private static void Tunnel(
        RtNetlink rt, IPAddress node, byte[] mac, string pod4, string pod6,
        IPAddress peer, byte[] peerMac, string peerTunnel4, string peerTunnel6, string peerPods4, string peerPods6)
    {
        rt.CreateVxlan(Device, new VxlanSettings(4096, node, 4789), 0, mac);
        int index = rt.GetLink(Device)!.Index;
        Ethtool.SetTxChecksumOffload(Device, false);
        rt.SetLinkUp(index);
        int lo = rt.GetLink("lo")!.Index;
        rt.AddAddress(lo, IPAddress.Parse(pod4), 32);
        rt.AddAddress(lo, IPAddress.Parse(pod6), 128, noDad: true);
        rt.AddFdbEntry(index, peerMac, peer);
        rt.AddNeighbor(index, IPAddress.Parse(peerTunnel4), peerMac, permanent: true);
        rt.AddNeighbor(index, IPAddress.Parse(peerTunnel6), peerMac, permanent: true);
        rt.AddRoute(new RouteInfo(IPNetwork.Parse(peerPods4), IPAddress.Parse(peerTunnel4), index, Protocol: RouteProtocol.CniV6, OnLink: true));
        rt.AddRoute(new RouteInfo(IPNetwork.Parse(peerPods6), IPAddress.Parse(peerTunnel6), index, Protocol: RouteProtocol.CniV6, OnLink: true));
    }

    private static string Describe(FdbEntry entry) => $"{Convert.ToHexStringLower(entry.Mac)} {entry.Destination}";

    /// <summary>The veth pair with underlay addresses of both families, up on both ends.</summary>
    private static VethPair Underlay()
    {
        var pair = new VethPair();
        try
        {
            pair.InA(rt => Configure(rt, VethPair.Name, UnderlayA6, UnderlayA4));
            pair.InB(rt =>
            {
                Configure(rt, VethPair.PeerName, UnderlayB6, UnderlayB4);
                return true;
            });
            return pair;
        }
        catch
        {
            pair.Dispose();
            throw;
        }
    }

    private static void Configure(RtNetlink rt, string name, IPAddress v6, IPAddress v4)
    {
        int index = rt.GetLink(name)!.Index;
        rt.AddAddress(index, v6, 64, noDad: true);
        rt.AddAddress(index, v4, 24);
        rt.SetLinkUp(index);
    }
}
