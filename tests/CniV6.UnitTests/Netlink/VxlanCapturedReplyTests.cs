using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using CniV6.Linux;
using CniV6.Netlink;
using CniV6.UnitTests.Fuzz;

namespace CniV6.UnitTests.Netlink;

/// <summary>
/// Decoding the kernel's own replies about vxlan devices, FDB entries, neighbours and onlink routes. The replies
/// were recorded from a real kernel by <c>CniV6.Fuzz capture</c> (see fuzz/CniV6.Fuzz/NetlinkCapture.cs for the
/// <c>ip</c>/<c>bridge</c> commands that set the namespace up) and are also seeds of the netlink fuzz corpus.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class VxlanCapturedReplyTests
{
    private static readonly byte[] PeerMac2 = [0x0e, 0xc6, 0, 0, 0, 2];

    [Fact]
    public void A_vxlan_device_over_IPv6_reads_back_its_VNI_local6_port_learning_mtu_and_mac()
    {
        LinkInfo? link = Replay("get-link-vxlan-ipv6.bin", rt => rt.GetLink("cv6fzvx6"));

        Assert.NotNull(link);
        Assert.Equal("cv6fzvx6", link.Name);
        Assert.Equal("vxlan", link.Kind);
        Assert.Equal(1430, link.Mtu);
        Assert.Equal(new byte[] { 0x0e, 0xc6, 0, 0, 0, 1 }, link.Mac);
        Assert.Equal(
            new VxlanSettings(4096, IPAddress.Parse("fd00:99::1"), 4789, Learning: false, UnderlayIndex: 0, UdpChecksum: true, ZeroChecksum6Tx: false, ZeroChecksum6Rx: false),
            link.Vxlan);
    }

    [Fact]
    public void A_vxlan_device_over_IPv4_reads_back_its_local_address_and_underlay_link()
    {
        LinkInfo? link = Replay("get-link-vxlan-ipv4.bin", rt => rt.GetLink("cv6fzvx4"));

        Assert.NotNull(link);
        Assert.NotNull(link.Vxlan);
        Assert.Equal(IPAddress.Parse("10.244.0.1"), link.Vxlan.Local);
        Assert.Equal(4789, link.Vxlan.Port);
        Assert.False(link.Vxlan.Learning);
        Assert.True(link.Vxlan.UdpChecksum);
        Assert.NotEqual(0, link.Vxlan.UnderlayIndex);

        // cv6fz0 has MTU 1450; the kernel took 50 bytes of IPv4 + UDP + VXLAN + inner Ethernet off it.
        Assert.Equal(1400, link.Mtu);
    }

    [Fact]
    public void The_FDB_dump_of_every_device_yields_the_static_entries_of_the_vxlan_device_asked_for()
    {
        int index = Replay("get-link-vxlan-ipv6.bin", rt => rt.GetLink("cv6fzvx6"))!.Index;

        IReadOnlyList<FdbEntry> entries = Replay("dump-fdb.bin", rt => rt.ListFdbEntries(index));

        Assert.Equal(
            ["0ec600000002 fd00:99::2", "0ec600000003 fd00:99::3"],
            entries.Select(e => $"{Convert.ToHexStringLower(e.Mac)} {e.Destination}").Order());
        Assert.All(entries, e => Assert.True(e.Self));

        // `bridge fdb … permanent` sends NUD_NOARP | NUD_PERMANENT, and the kernel keeps the state as sent.
        Assert.All(entries, e => Assert.Equal(NeighborState.Permanent | NeighborState.NoArp, e.State));
    }

    [Fact]
    public void Permanent_neighbours_on_the_vxlan_devices_are_read_back_with_their_MACs()
    {
        int index = Replay("get-link-vxlan-ipv6.bin", rt => rt.GetLink("cv6fzvx6"))!.Index;
        IReadOnlyList<NeighborInfo> all = Replay("dump-neighbors.bin", rt => rt.ListNeighbors(AddressFamily.Unspecified));
        IReadOnlyList<NeighborInfo> onDevice = Replay("dump-neighbors-vxlan-ipv6.bin", rt => rt.ListNeighbors(AddressFamily.InterNetworkV6, index));
        IReadOnlyList<NeighborInfo> onOtherDevice = Replay("dump-neighbors-vxlan-ipv6.bin", rt => rt.ListNeighbors(AddressFamily.InterNetworkV6, index + 1));

        NeighborInfo v6 = Assert.Single(all, n => n.Address.Equals(IPAddress.Parse("fd00:ff::2")));
        NeighborInfo v4 = Assert.Single(all, n => n.Address.Equals(IPAddress.Parse("10.255.0.2")));
        Assert.Equal(PeerMac2, v6.Mac);
        Assert.Equal(PeerMac2, v4.Mac);
        Assert.Equal(NeighborState.Permanent, v6.State);
        Assert.Equal(index, v6.LinkIndex);
        Assert.NotEqual(v6.LinkIndex, v4.LinkIndex);

        // The per-link dump was filtered by the kernel (NDA_IFINDEX); the parser filters again on its own.
        // Next to ours, the kernel's own NOARP entries for the multicast groups the device joined (ff02::16 …).
        Assert.Equal(v6, Assert.Single(onDevice, n => n.State == NeighborState.Permanent) with { Mac = v6.Mac });
        Assert.All(onDevice, n => Assert.Equal(index, n.LinkIndex));
        Assert.Empty(onOtherDevice);
    }

    [Fact]
    public void Onlink_routes_are_read_back_with_the_flag_and_ordinary_ones_without()
    {
        IReadOnlyList<RouteInfo> v6 = Replay("dump-routes-ipv6-onlink.bin", rt => rt.ListRoutes(AddressFamily.InterNetworkV6));
        IReadOnlyList<RouteInfo> v4 = Replay("dump-routes-ipv4-onlink.bin", rt => rt.ListRoutes(AddressFamily.InterNetwork));

        RouteInfo onlink6 = Assert.Single(v6, r => r.Destination == IPNetwork.Parse("fd00:10:249::/64"));
        RouteInfo onlink4 = Assert.Single(v4, r => r.Destination == IPNetwork.Parse("10.249.0.0/24"));
        Assert.True(onlink6.OnLink);
        Assert.Equal(IPAddress.Parse("fd00:ff::2"), onlink6.Gateway);
        Assert.Equal(RouteProtocol.CniV6, onlink6.Protocol);
        Assert.True(onlink4.OnLink);
        Assert.Equal(IPAddress.Parse("10.255.0.2"), onlink4.Gateway);
        Assert.False(Assert.Single(v6, r => r.Destination == IPNetwork.Parse("fd00:10:245::/64")).OnLink);
    }

    [Fact]
    public void The_kernels_errors_for_a_missing_FDB_entry_and_a_taken_VNI_are_ENOENT_and_EEXIST_with_its_text()
    {
        bool deleted = Replay("error-fdb-delete-missing.bin", rt => rt.DeleteFdbEntry(5, PeerMac2, IPAddress.Parse("10.244.0.9")));
        var taken = Assert.Throws<NetlinkException>(() => Replay("error-vxlan-vni-port-taken.bin", rt =>
        {
            rt.CreateVxlan("cv6fzvx6b", new VxlanSettings(4096, IPAddress.Parse("fd00:99::1"), 4789), 0, []);
            return true;
        }));

        Assert.False(deleted);
        Assert.Equal(Errno.EEXIST, taken.Errno);
        Assert.Contains("VNI already exists", taken.Message);
    }

    private static T Replay<T>(string file, Func<RtNetlink, T> operation)
        => Replay(File.ReadAllBytes(Path.Combine(FuzzCorpus.Directory, "netlink", file)), operation);

    private static T Replay<T>(byte[] reply, Func<RtNetlink, T> operation)
    {
        using var rt = new RtNetlink(new ReplayNetlinkTransport(reply));
        return operation(rt);
    }
}
