using CniV6.IntegrationTests.Infrastructure;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.IntegrationTests.Netlink;

public sealed class LinkTests
{
    [Fact]
    public void CreateVethPair_puts_the_peer_straight_into_the_other_namespace_with_the_requested_mac_and_mtu()
    {
        using var pair = new VethPair(mtu: 1400);

        LinkInfo? local = pair.InA(rt => rt.GetLink(VethPair.Name));
        LinkInfo? peerInA = pair.InA(rt => rt.GetLink(VethPair.PeerName));
        LinkInfo? peer = pair.InB(rt => rt.GetLink(VethPair.PeerName));

        Assert.NotNull(local);
        Assert.Null(peerInA);
        Assert.NotNull(peer);
        Assert.Equal("veth", local.Kind);
        Assert.Equal("veth", peer.Kind);
        Assert.Equal(VethPair.PeerMac, peer.Mac);
        Assert.Equal(1400, local.Mtu);
        Assert.Equal(1400, peer.Mtu);
        Assert.Equal(peer.Index, local.ParentIndex);
        Assert.Equal(local.Index, peer.ParentIndex);
        Assert.NotNull(local.LinkNetNsId);
        Assert.Contains("link/ether ee:ee:ee:ee:ee:ee", pair.B.Exec("ip", "link", "show", VethPair.PeerName));
    }

    [Fact]
    public void CreateVethPair_with_a_taken_name_fails_with_EEXIST()
    {
        using var pair = new VethPair();
        using SafeFd peerNs = NetNamespace.Open(pair.B.Path);

        var ex = Assert.Throws<NetlinkException>(() => pair.InA(rt => rt.CreateVethPair(VethPair.Name, "cv6t-c", peerNs, 0, [])));

        Assert.Equal(17, ex.Errno);
        Assert.Equal(Errno.EEXIST, ex.Errno);
    }

    [Fact]
    public void CreateVethPair_without_mac_or_mtu_leaves_them_to_the_kernel()
    {
        using var a = new TestNetNs();
        using var b = new TestNetNs();
        using SafeFd peerNs = NetNamespace.Open(b.Path);

        NetNamespace.Run(a.Path, () =>
        {
            using var rt = RtNetlink.Open();
            rt.CreateVethPair("cv6t-x", "cv6t-y", peerNs, 0, []);
        });
        LinkInfo? peer = NetNamespace.Run(b.Path, () =>
        {
            using var rt = RtNetlink.Open();
            return rt.GetLink("cv6t-y");
        });

        Assert.NotNull(peer);
        Assert.Equal(1500, peer.Mtu);
        Assert.Equal(6, peer.Mac.Length);
    }

    [Fact]
    public void GetLink_of_a_missing_name_or_index_returns_null()
    {
        using var ns = new TestNetNs();

        var (byName, byIndex) = NetNamespace.Run(ns.Path, () =>
        {
            using var rt = RtNetlink.Open();
            return (rt.GetLink("cv6t-missing"), rt.GetLink(999_999));
        });

        Assert.Null(byName);
        Assert.Null(byIndex);
    }

    [Fact]
    public void GetLink_by_index_and_ListLinks_see_the_same_links()
    {
        using var pair = new VethPair();

        var (byIndex, all) = pair.InA(rt =>
        {
            LinkInfo local = rt.GetLink(VethPair.Name)!;
            return (rt.GetLink(local.Index), rt.ListLinks());
        });

        Assert.NotNull(byIndex);
        Assert.Equal(VethPair.Name, byIndex.Name);
        // A fresh namespace may also hold tunnel devices (sit0, ip6tnl0, …) when their modules are loaded.
        IEnumerable<string> seenByIp = pair.A.Exec("ip", "-o", "link", "show")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':')[1].Trim().Split('@')[0]);
        Assert.Equal(seenByIp.Order(), all.Select(l => l.Name).Order());
        Assert.Contains(all, l => l.Name == VethPair.Name);
        Assert.True(all.Single(l => l.Name == "lo").IsUp);
        Assert.Null(all.Single(l => l.Name == "lo").Kind);
    }

    [Fact]
    public void SetLinkUp_sets_IFF_UP()
    {
        using var pair = new VethPair();

        var (before, after) = pair.InA(rt =>
        {
            LinkInfo link = rt.GetLink(VethPair.Name)!;
            rt.SetLinkUp(link.Index);
            return (link.IsUp, rt.GetLink(link.Index)!.IsUp);
        });

        Assert.False(before);
        Assert.True(after);
    }

    [Fact]
    public void SetLinkAlias_is_read_back_by_GetLink()
    {
        using var pair = new VethPair();

        string? alias = pair.InA(rt =>
        {
            LinkInfo link = rt.GetLink(VethPair.Name)!;
            rt.SetLinkAlias(link.Index, "cniv6 net1 abc/eth0");
            return rt.GetLink(link.Index)!.Alias;
        });

        Assert.Equal("cniv6 net1 abc/eth0", alias);
    }

    [Fact]
    public void DeleteLinkIfExists_removes_both_ends_and_reports_whether_there_was_a_link()
    {
        using var pair = new VethPair();

        var (first, second) = pair.InA(rt => (rt.DeleteLinkIfExists(VethPair.Name), rt.DeleteLinkIfExists(VethPair.Name)));

        Assert.True(first);
        Assert.False(second);
        Assert.Null(pair.InB(rt => rt.GetLink(VethPair.PeerName)));
    }

    [Fact]
    public void DeleteLink_of_a_missing_index_fails_with_ENODEV()
    {
        using var ns = new TestNetNs();

        var ex = Assert.Throws<NetlinkException>(() => NetNamespace.Run(ns.Path, () =>
        {
            using var rt = RtNetlink.Open();
            rt.DeleteLink(999_999);
        }));

        Assert.Equal(Errno.ENODEV, ex.Errno);
    }
}
