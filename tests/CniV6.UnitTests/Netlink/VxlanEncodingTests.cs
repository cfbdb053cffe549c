using System.Net;
using CniV6.Netlink;
using CniV6.Netlink.Kernel;

namespace CniV6.UnitTests.Netlink;

/// <summary>
/// The vxlan link kind, FDB entries and the onlink flag on the wire, byte for byte as linux/if_link.h,
/// linux/neighbour.h and linux/rtnetlink.h lay them out (little-endian host; the sequence number is masked).
/// </summary>
public sealed class VxlanEncodingTests
{
    private static readonly byte[] OwnMac = [0x0e, 0xc6, 0, 0, 0, 1];
    private static readonly byte[] PeerMac = [0x0e, 0xc6, 0, 0, 0, 2];

    [Fact]
    public void CreateVxlan_over_IPv6_sends_id_local6_big_endian_port_and_learning_off()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var rt = new RtNetlink(transport);

        rt.CreateVxlan("cniv6.vx6", new VxlanSettings(4096, IPAddress.Parse("fd00::1"), 4789), 1430, OwnMac);

        AssertBytes(
            """
            84000000 1000 0506 ******** 00000000
            00000000 00000000 00000000 00000000
            0e000300 636e6976362e767836000000
            08000400 96050000
            0a000100 0ec600000001 0000
            40001280
              0a000100 76786c616e00 0000
              30000280
                08000100 00100000
                14001100 fd000000000000000000000000000001
                06000f00 12b5 0000
                05000700 00 000000
            """,
            transport.Sent.Single());
    }

    [Fact]
    public void CreateVxlan_over_IPv4_sends_IFLA_VXLAN_LOCAL_the_underlay_link_and_the_checksum_flags_asked_for()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var rt = new RtNetlink(transport);

        rt.CreateVxlan(
            "cniv6.vx4",
            new VxlanSettings(16_777_215, IPAddress.Parse("192.0.2.1"), 8472, Learning: true, UnderlayIndex: 3, UdpChecksum: true, ZeroChecksum6Tx: false, ZeroChecksum6Rx: false),
            0,
            []);

        AssertBytes(
            """
            84000000 1000 0506 ******** 00000000
            00000000 00000000 00000000 00000000
            0e000300 636e6976362e767834000000
            54001280
              0a000100 76786c616e00 0000
              44000280
                08000100 ffffff00
                08000400 c0000201
                08000300 03000000
                06000f00 2118 0000
                05000700 01 000000
                05001200 01 000000
                05001300 00 000000
                05001400 00 000000
            """,
            transport.Sent.Single());
    }

    [Theory]
    [InlineData(16_777_216u, 4789, "fd00::1")]
    [InlineData(1u, 0, "fd00::1")]
    [InlineData(1u, 4789, null)]
    public void CreateVxlan_refuses_a_VNI_beyond_24_bits_port_0_or_no_local_address_before_sending(uint vni, int port, string? local)
    {
        var transport = new ScriptedTransport();
        using var rt = new RtNetlink(transport);

        Assert.ThrowsAny<ArgumentException>(() =>
            rt.CreateVxlan("cniv6.vx6", new VxlanSettings(vni, local is null ? null : IPAddress.Parse(local), (ushort)port), 0, []));
        Assert.Empty(transport.Sent);
    }

    [Fact]
    public void AddFdbEntry_sends_a_permanent_self_entry_of_family_AF_BRIDGE_that_replaces_the_old_destination()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var rt = new RtNetlink(transport);

        rt.AddFdbEntry(7, PeerMac, IPAddress.Parse("fd00:99::2"));

        AssertBytes(
            """
            3c000000 1c00 0505 ******** 00000000
            07000000 07000000 8000 02 00
            0a000200 0ec600000002 0000
            14000100 fd000099000000000000000000000002
            """,
            transport.Sent.Single());
    }

    [Fact]
    public void DeleteFdbEntry_names_mac_and_IPv4_destination_and_returns_false_on_ENOENT()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Failure(CniV6.Linux.Errno.ENOENT));
        using var rt = new RtNetlink(transport);

        bool deleted = rt.DeleteFdbEntry(7, PeerMac, IPAddress.Parse("192.0.2.2"));

        Assert.False(deleted);
        AssertBytes(
            """
            30000000 1d00 0500 ******** 00000000
            07000000 07000000 0000 02 00
            0a000200 0ec600000002 0000
            08000100 c0000202
            """,
            transport.Sent.Single());
    }

    [Fact]
    public void ListFdbEntries_asks_with_a_bare_AF_BRIDGE_ndmsg_and_keeps_the_devices_own_entries_with_a_destination()
    {
        var transport = new ScriptedTransport().Reply(
            Fdb(7, PeerMac, "fd00:99::2", NeighbourHeaders.NTF_SELF),
            Fdb(7, [0x33, 0x33, 0, 0, 0, 1], null, NeighbourHeaders.NTF_SELF),
            Fdb(8, PeerMac, "fd00:99::2", NeighbourHeaders.NTF_SELF),
            Fdb(7, OwnMac, "fd00:99::3", NeighbourHeaders.NTF_MASTER),
            KernelMessages.Done());
        using var rt = new RtNetlink(transport);

        FdbEntry only = Assert.Single(rt.ListFdbEntries(7));

        Assert.Equal(PeerMac, only.Mac);
        Assert.Equal(IPAddress.Parse("fd00:99::2"), only.Destination);
        Assert.Equal(NeighborState.Permanent, only.State);
        AssertBytes(
            """
            1c000000 1e00 0103 ******** 00000000
            07000000 00000000 0000 00 00
            """,
            transport.Sent.Single());
    }

    [Fact]
    public void ListNeighbors_of_one_link_sends_NDA_IFINDEX_and_filters_again_on_the_reply()
    {
        var transport = new ScriptedTransport().Reply(
            Neighbor(5, "fd00:ff::2", PeerMac, NeighbourHeaders.NUD_PERMANENT),
            Neighbor(6, "fd00:ff::3", PeerMac, NeighbourHeaders.NUD_REACHABLE),
            KernelMessages.Done());
        using var rt = new RtNetlink(transport);

        NeighborInfo only = Assert.Single(rt.ListNeighbors(System.Net.Sockets.AddressFamily.InterNetworkV6, 5));

        Assert.Equal(new NeighborInfo(5, IPAddress.Parse("fd00:ff::2"), only.Mac, NeighborState.Permanent), only);
        Assert.Equal(PeerMac, only.Mac);
        AssertBytes(
            """
            24000000 1e00 0103 ******** 00000000
            0a000000 00000000 0000 00 00
            08000800 05000000
            """,
            transport.Sent.Single());
    }

    [Fact]
    public void DeleteNeighbor_sends_the_address_and_returns_false_on_ENOENT()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Failure(CniV6.Linux.Errno.ENOENT));
        using var rt = new RtNetlink(transport);

        Assert.False(rt.DeleteNeighbor(5, IPAddress.Parse("10.255.0.2")));
        AssertBytes(
            """
            24000000 1d00 0500 ******** 00000000
            02000000 05000000 0000 00 00
            08000100 0aff0002
            """,
            transport.Sent.Single());
    }

    [Fact]
    public void An_onlink_route_carries_RTNH_F_ONLINK_in_rtm_flags()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var rt = new RtNetlink(transport);

        rt.ReplaceRoute(new RouteInfo(IPNetwork.Parse("10.249.0.0/24"), IPAddress.Parse("10.255.0.2"), 5, Protocol: RouteProtocol.CniV6, OnLink: true));

        AssertBytes(
            """
            3c000000 1800 0505 ******** 00000000
            02 18 00 00 fe c6 00 01 04000000
            08000f00 fe000000
            08000100 0af90000
            08000500 0aff0002
            08000400 05000000
            """,
            transport.Sent.Single());
    }

    [Fact]
    public void The_onlink_flag_is_read_back_from_rtm_flags()
    {
        byte[] message = KernelMessages.Message(RtnetlinkHeaders.RTM_NEWROUTE, 0, 1, 1, (ref NetlinkMessageWriter w) =>
        {
            new RtMsg(2, 24, 0, 0, 254, 198, 0, RtnetlinkHeaders.RTN_UNICAST, RtnetlinkHeaders.RTNH_F_ONLINK).WriteTo(w.Reserve(RtMsg.Size));
            w.WriteAddress(RtnetlinkHeaders.RTA_DST, IPAddress.Parse("10.249.0.0"));
            w.WriteAddress(RtnetlinkHeaders.RTA_GATEWAY, IPAddress.Parse("10.255.0.2"));
            w.WriteInt32(RtnetlinkHeaders.RTA_OIF, 5);
        });
        var reader = new NetlinkMessageReader(message);
        Assert.True(reader.TryRead(out NetlinkMessage decoded));

        RouteInfo? route = RtNetlink.ParseRoute(decoded);

        Assert.Equal(
            new RouteInfo(IPNetwork.Parse("10.249.0.0/24"), IPAddress.Parse("10.255.0.2"), 5, Protocol: RouteProtocol.CniV6, OnLink: true),
            route);
    }

    [Fact]
    public void Settings_left_null_are_not_compared_but_given_ones_are()
    {
        var wanted = new VxlanSettings(4096, IPAddress.Parse("fd00::1"), 4789);
        var actual = new VxlanSettings(4096, IPAddress.Parse("fd00::1"), 4789, false, 0, true, false, false);

        Assert.True(wanted.IsSatisfiedBy(actual));
        Assert.False(wanted.IsSatisfiedBy(actual with { Learning = true }));
        Assert.False(wanted.IsSatisfiedBy(actual with { Local = IPAddress.Parse("fd00::2") }));
        Assert.False(wanted.IsSatisfiedBy(actual with { Port = 8472 }));
        Assert.False((wanted with { UdpChecksum = false }).IsSatisfiedBy(actual));
    }

    /// <summary>Compares a request with the expected hex; whitespace is ignored and <c>*</c> matches any nibble (the sequence number).</summary>
    private static void AssertBytes(string expectedHex, byte[] actual)
    {
        string expected = string.Concat(expectedHex.Where(c => !char.IsWhiteSpace(c)));
        string actualHex = Convert.ToHexStringLower(actual);
        Assert.Equal(expected.Length, actualHex.Length);
        string masked = string.Concat(actualHex.Select((c, i) => expected[i] == '*' ? '*' : c));
        Assert.Equal(expected, masked);
    }

    private static Func<uint, byte[]> Fdb(int index, byte[] mac, string? destination, byte flags)
        => seq => KernelMessages.Message(RtnetlinkHeaders.RTM_NEWNEIGH, NetlinkHeaders.NLM_F_MULTI, seq, ScriptedTransport.OurPortId,
            (ref NetlinkMessageWriter w) =>
            {
                new NdMsg(7, index, NeighbourHeaders.NUD_PERMANENT, flags, 0).WriteTo(w.Reserve(NdMsg.Size));
                w.WriteAttribute(NeighbourHeaders.NDA_LLADDR, mac);
                if (destination is not null)
                {
                    w.WriteAddress(NeighbourHeaders.NDA_DST, IPAddress.Parse(destination));
                }
            });

    private static Func<uint, byte[]> Neighbor(int index, string address, byte[] mac, ushort state)
        => seq => KernelMessages.Message(RtnetlinkHeaders.RTM_NEWNEIGH, NetlinkHeaders.NLM_F_MULTI, seq, ScriptedTransport.OurPortId,
            (ref NetlinkMessageWriter w) =>
            {
                new NdMsg(10, index, state, 0, 1).WriteTo(w.Reserve(NdMsg.Size));
                w.WriteAddress(NeighbourHeaders.NDA_DST, IPAddress.Parse(address));
                w.WriteAttribute(NeighbourHeaders.NDA_LLADDR, mac);
            });
}
