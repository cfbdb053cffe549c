using System.Net;
using CniV6.Linux;
using CniV6.Netlink;
using CniV6.Netlink.Kernel;

namespace CniV6.UnitTests.Netlink;

/// <summary>What RtNetlink puts on the wire, checked against a fake kernel.</summary>
public sealed class RtNetlinkEncodingTests
{
    private static readonly byte[] Mac = [0xee, 0xee, 0xee, 0xee, 0xee, 0xee];

    [Fact]
    public void CreateVethPair_describes_the_peer_with_its_own_ifinfomsg_name_mtu_mac_and_namespace_fd()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var rt = new RtNetlink(transport);
        using SafeFd netns = NetNamespace.OpenCurrent();

        rt.CreateVethPair("eth0", "cv6abc", netns, 1400, Mac);

        var message = Decode(transport.Sent.Single());
        Assert.Equal(RtnetlinkHeaders.RTM_NEWLINK, message.Type);
        Assert.Equal(NetlinkHeaders.NLM_F_REQUEST | NetlinkHeaders.NLM_F_ACK | NetlinkHeaders.NLM_F_CREATE | NetlinkHeaders.NLM_F_EXCL, message.Flags);
        Attribute linkInfo = message.Attributes.Single(a => a.Type == IfLinkHeaders.IFLA_LINKINFO);
        Assert.Equal("eth0", Text(message.Attributes.Single(a => a.Type == IfLinkHeaders.IFLA_IFNAME)));
        Assert.Equal(1400u, BitConverter.ToUInt32(message.Attributes.Single(a => a.Type == IfLinkHeaders.IFLA_MTU).Value));
        Assert.Equal("veth", Text(Attributes(linkInfo.Value).Single(a => a.Type == IfLinkHeaders.IFLA_INFO_KIND)));

        Attribute data = Attributes(linkInfo.Value).Single(a => a.Type == IfLinkHeaders.IFLA_INFO_DATA);
        Attribute peer = Attributes(data.Value).Single(a => a.Type == IfLinkHeaders.VETH_INFO_PEER);
        Assert.Equal(new IfInfoMsg(0, 0, 0, 0, 0), IfInfoMsg.Read(peer.Value));
        List<Attribute> peerAttributes = Attributes(peer.Value[IfInfoMsg.Size..]);
        Assert.Equal("cv6abc", Text(peerAttributes.Single(a => a.Type == IfLinkHeaders.IFLA_IFNAME)));
        Assert.Equal(1400u, BitConverter.ToUInt32(peerAttributes.Single(a => a.Type == IfLinkHeaders.IFLA_MTU).Value));
        Assert.Equal(Mac, peerAttributes.Single(a => a.Type == IfLinkHeaders.IFLA_ADDRESS).Value);
        Assert.Equal((uint)netns.DangerousGetHandle(), BitConverter.ToUInt32(peerAttributes.Single(a => a.Type == IfLinkHeaders.IFLA_NET_NS_FD).Value));
    }

    [Fact]
    public void CreateVethPair_leaves_out_mtu_and_mac_when_not_given()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var rt = new RtNetlink(transport);
        using SafeFd netns = NetNamespace.OpenCurrent();

        rt.CreateVethPair("eth0", "cv6abc", netns, 0, []);

        var message = Decode(transport.Sent.Single());
        Assert.DoesNotContain(message.Attributes, a => a.Type == IfLinkHeaders.IFLA_MTU);
        Attribute linkInfo = message.Attributes.Single(a => a.Type == IfLinkHeaders.IFLA_LINKINFO);
        Attribute peer = Attributes(Attributes(linkInfo.Value).Single(a => a.Type == IfLinkHeaders.IFLA_INFO_DATA).Value).Single();
        Assert.Equal(
            [IfLinkHeaders.IFLA_IFNAME, IfLinkHeaders.IFLA_NET_NS_FD],
            Attributes(peer.Value[IfInfoMsg.Size..]).Select(a => a.Type));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a-name-of-16-chr")]
    [InlineData("with space")]
    [InlineData("with/slash")]
    [InlineData("eth0:1")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("eth\u00e9")]
    [InlineData("eth0\n")]
    [InlineData("eth\u0001")]
    public void Invalid_interface_names_are_refused_before_anything_is_sent(string name)
    {
        var transport = new ScriptedTransport();
        using var rt = new RtNetlink(transport);

        Assert.ThrowsAny<ArgumentException>(() => rt.GetLink(name));
        Assert.Empty(transport.Sent);
    }

    [Fact]
    public void AddAddress_for_IPv4_sends_IFA_LOCAL_and_IFA_ADDRESS_and_the_NODAD_flag()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var rt = new RtNetlink(transport);

        rt.AddAddress(5, IPAddress.Parse("10.1.2.3"), 32, noDad: true, scope: RouteScope.Link);

        var message = Decode(transport.Sent.Single());
        Assert.Equal(new IfAddrMsg(2, 32, 2, RouteScope.Link, 5), IfAddrMsg.Read(message.Payload));
        Assert.Equal(
            [IfAddrHeaders.IFA_LOCAL, IfAddrHeaders.IFA_ADDRESS, IfAddrHeaders.IFA_FLAGS],
            message.Attributes.Select(a => a.Type));
        Assert.Equal(new byte[] { 10, 1, 2, 3 }, message.Attributes[0].Value);
        Assert.Equal(IfAddrHeaders.IFA_F_NODAD, BitConverter.ToUInt32(message.Attributes[2].Value));
    }

    [Fact]
    public void AddAddress_refuses_a_prefix_length_beyond_the_family()
    {
        using var rt = new RtNetlink(new ScriptedTransport());

        Assert.Throws<ArgumentOutOfRangeException>(() => rt.AddAddress(1, IPAddress.Parse("10.0.0.1"), 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => rt.AddAddress(1, IPAddress.Parse("2001:db8::1"), 129));
    }

    [Fact]
    public void AddRoute_encodes_table_destination_gateway_output_and_our_protocol()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var rt = new RtNetlink(transport);

        rt.AddRoute(new RouteInfo(IPNetwork.Parse("2001:db8::/64"), IPAddress.Parse("fe80::1"), 4, Protocol: RouteProtocol.CniV6, Priority: 10));

        var message = Decode(transport.Sent.Single());
        Assert.Equal(new RtMsg(10, 64, 0, 0, 254, 198, 0, RtnetlinkHeaders.RTN_UNICAST, 0), RtMsg.Read(message.Payload));
        Assert.Equal(
            [RtnetlinkHeaders.RTA_TABLE, RtnetlinkHeaders.RTA_DST, RtnetlinkHeaders.RTA_GATEWAY, RtnetlinkHeaders.RTA_OIF, RtnetlinkHeaders.RTA_PRIORITY],
            message.Attributes.Select(a => a.Type));
    }

    [Fact]
    public void A_default_route_has_no_RTA_DST_and_a_table_above_255_goes_only_in_RTA_TABLE()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var rt = new RtNetlink(transport);

        rt.ReplaceRoute(new RouteInfo(new IPNetwork(IPAddress.Any, 0), IPAddress.Parse("169.254.1.1"), 4, Table: 1000));

        var message = Decode(transport.Sent.Single());
        Assert.Equal(NetlinkHeaders.NLM_F_REQUEST | NetlinkHeaders.NLM_F_ACK | NetlinkHeaders.NLM_F_CREATE | NetlinkHeaders.NLM_F_REPLACE, message.Flags);
        Assert.Equal(0, RtMsg.Read(message.Payload).Table);
        Assert.DoesNotContain(message.Attributes, a => a.Type == RtnetlinkHeaders.RTA_DST);
        Assert.Equal(1000u, BitConverter.ToUInt32(message.Attributes.Single(a => a.Type == RtnetlinkHeaders.RTA_TABLE).Value));
    }

    [Fact]
    public void DeleteRoute_matches_any_scope_and_type_and_returns_false_on_ESRCH()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Failure(Errno.ESRCH));
        using var rt = new RtNetlink(transport);

        bool deleted = rt.DeleteRoute(new RouteInfo(IPNetwork.Parse("10.0.0.0/24"), null, 4, Protocol: RouteProtocol.CniV6));

        Assert.False(deleted);
        RtMsg header = RtMsg.Read(Decode(transport.Sent.Single()).Payload);
        Assert.Equal(RtnetlinkHeaders.RT_SCOPE_NOWHERE, header.Scope);
        Assert.Equal(RtnetlinkHeaders.RTN_UNSPEC, header.Type);
        Assert.Equal(RouteProtocol.CniV6, header.Protocol);
    }

    [Fact]
    public void A_gateway_of_the_other_family_is_refused()
    {
        using var rt = new RtNetlink(new ScriptedTransport());

        Assert.Throws<ArgumentException>(() => rt.AddRoute(new RouteInfo(IPNetwork.Parse("10.0.0.0/24"), IPAddress.Parse("fe80::1"), 4)));
    }

    [Fact]
    public void AddNeighbor_sends_a_permanent_entry_that_replaces_an_existing_one()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var rt = new RtNetlink(transport);

        rt.AddNeighbor(3, IPAddress.Parse("fe80::1"), Mac, permanent: true);

        var message = Decode(transport.Sent.Single());
        Assert.Equal(NetlinkHeaders.NLM_F_REQUEST | NetlinkHeaders.NLM_F_ACK | NetlinkHeaders.NLM_F_CREATE | NetlinkHeaders.NLM_F_REPLACE, message.Flags);
        Assert.Equal(new NdMsg(10, 3, NeighbourHeaders.NUD_PERMANENT, 0, 0), NdMsg.Read(message.Payload));
        Assert.Equal(Mac, message.Attributes.Single(a => a.Type == NeighbourHeaders.NDA_LLADDR).Value);
    }

    [Fact]
    public void ListRoutes_keeps_unicast_routes_of_the_requested_table()
    {
        var transport = new ScriptedTransport().Reply(
            Route(254, RtnetlinkHeaders.RTN_UNICAST, 0, "2001:db8::/64"),
            Route(255, 2 /* RTN_LOCAL */, 0, "2001:db8::1/128"),
            Route(254, RtnetlinkHeaders.RTN_UNICAST, RtnetlinkHeaders.RTM_F_CLONED, "2001:db8::5/128"),
            Route(252, RtnetlinkHeaders.RTN_UNICAST, 0, "2001:db8:9::/64", tableAttribute: 1000),
            KernelMessages.Done());
        using var rt = new RtNetlink(transport);

        IReadOnlyList<RouteInfo> routes = rt.ListRoutes(System.Net.Sockets.AddressFamily.InterNetworkV6);

        Assert.Equal([IPNetwork.Parse("2001:db8::/64")], routes.Select(r => r.Destination));
    }

    [Fact]
    public void A_multipath_route_is_reported_with_its_first_next_hop()
    {
        byte[] message = KernelMessages.Message(RtnetlinkHeaders.RTM_NEWROUTE, 0, 1, 1, (ref NetlinkMessageWriter w) =>
        {
            new RtMsg(10, 0, 0, 0, 254, 3, 0, RtnetlinkHeaders.RTN_UNICAST, 0).WriteTo(w.Reserve(RtMsg.Size));
            using (w.BeginNested(RtnetlinkHeaders.RTA_MULTIPATH))
            {
                Span<byte> hop = w.Reserve(RtnetlinkHeaders.RTNH_SIZE);
                BitConverter.TryWriteBytes(hop, (ushort)(RtnetlinkHeaders.RTNH_SIZE + 20));
                BitConverter.TryWriteBytes(hop[4..], 7);
                w.WriteAddress(RtnetlinkHeaders.RTA_GATEWAY, IPAddress.Parse("fe80::7"));
            }
        });
        var reader = new NetlinkMessageReader(message);
        Assert.True(reader.TryRead(out NetlinkMessage decoded));

        RouteInfo? route = RtNetlink.ParseRoute(decoded);

        Assert.Equal(new RouteInfo(new IPNetwork(IPAddress.IPv6Any, 0), IPAddress.Parse("fe80::7"), 7, Protocol: RouteProtocol.Boot), route);
    }

    [Fact]
    public void ListAddresses_prefers_IFA_LOCAL_and_the_32_bit_flags_and_filters_by_link()
    {
        var transport = new ScriptedTransport().Reply(
            Address(2, "10.0.0.1", local: "10.0.0.2", flags32: 0x300),
            Address(3, "10.0.0.9", local: null, flags32: null),
            KernelMessages.Done());
        using var rt = new RtNetlink(transport);

        AddressInfo only = Assert.Single(rt.ListAddresses(System.Net.Sockets.AddressFamily.InterNetwork, 2));

        Assert.Equal(new AddressInfo(2, IPAddress.Parse("10.0.0.2"), 24, RouteScope.Universe, 0x300), only);
    }

    [Fact]
    public void SetLinkDownIfExists_clears_only_IFF_UP_on_the_link_named_and_is_false_on_ENODEV()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack()).Reply(KernelMessages.Failure(Errno.ENODEV));
        using var rt = new RtNetlink(transport);

        Assert.True(rt.SetLinkDownIfExists("cv6abc"));
        Assert.False(rt.SetLinkDownIfExists("cv6abc"));

        var message = Decode(transport.Sent[0]);
        Assert.Equal(RtnetlinkHeaders.RTM_NEWLINK, message.Type);
        Assert.Equal(NetlinkHeaders.NLM_F_REQUEST | NetlinkHeaders.NLM_F_ACK, message.Flags);
        Assert.Equal(new IfInfoMsg(0, 0, 0, 0, IfLinkHeaders.IFF_UP), IfInfoMsg.Read(message.Payload));
        Assert.Equal("cv6abc", Text(message.Attributes.Single(a => a.Type == IfLinkHeaders.IFLA_IFNAME)));
    }

    [Fact]
    public void SetLinkDownIfExists_still_throws_other_refusals()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Failure(Errno.EPERM));
        using var rt = new RtNetlink(transport);

        Assert.Equal(Errno.EPERM, Assert.Throws<NetlinkException>(() => rt.SetLinkDownIfExists("cv6abc")).Errno);
    }

    [Fact]
    public void DeleteLinkIfExists_is_false_on_ENODEV()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Failure(Errno.ENODEV));
        using var rt = new RtNetlink(transport);

        Assert.False(rt.DeleteLinkIfExists("cv6abc"));
        Assert.Equal(RtnetlinkHeaders.RTM_DELLINK, Decode(transport.Sent.Single()).Type);
    }

    [Fact]
    public void SetLinkUp_with_proxy_arp_sets_IPV4_DEVCONF_PROXY_ARP_in_the_same_request()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var rt = new RtNetlink(transport);

        rt.SetLinkUp(7, ipv4ProxyArp: true);

        var message = Decode(transport.Sent.Single());
        Assert.Equal(new IfInfoMsg(0, 0, 7, IfLinkHeaders.IFF_UP, IfLinkHeaders.IFF_UP), IfInfoMsg.Read(message.Payload));
        Attribute afSpec = message.Attributes.Single(a => a.Type == IfLinkHeaders.IFLA_AF_SPEC);
        Attribute inet = Attributes(afSpec.Value).Single();
        Assert.Equal(2, inet.Type); // AF_INET
        Attribute conf = Attributes(inet.Value).Single();
        Assert.Equal(IfLinkHeaders.IFLA_INET_CONF, conf.Type);
        Attribute proxyArp = Attributes(conf.Value).Single();
        Assert.Equal(IfLinkHeaders.IPV4_DEVCONF_PROXY_ARP, proxyArp.Type);
        Assert.Equal(1u, BitConverter.ToUInt32(proxyArp.Value));
    }

    [Fact]
    public void SetLinkUp_without_proxy_arp_sends_no_AF_SPEC()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var rt = new RtNetlink(transport);

        rt.SetLinkUp(7, ipv4ProxyArp: false);

        Assert.Empty(Decode(transport.Sent.Single()).Attributes);
    }

    [Fact]
    public void SetLinkAlias_by_name_sends_the_name_and_the_alias_without_a_lookup()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var rt = new RtNetlink(transport);

        rt.SetLinkAlias("cv6abc", "cniv6 net c1 eth0");

        var message = Decode(transport.Sent.Single());
        Assert.Equal(0, IfInfoMsg.Read(message.Payload).Index);
        Assert.Equal("cv6abc", Text(message.Attributes.Single(a => a.Type == IfLinkHeaders.IFLA_IFNAME)));
        Assert.Equal("cniv6 net c1 eth0"u8.ToArray(), message.Attributes.Single(a => a.Type == IfLinkHeaders.IFLA_IFALIAS).Value);
    }

    [Theory]
    [InlineData("fd00:10:244::5", 10, 128)]
    [InlineData("10.244.0.5", 2, 32)]
    public void LookupRoute_asks_for_the_fib_entry_of_one_host_address(string address, byte family, byte length)
    {
        var transport = new ScriptedTransport().Reply(Route(254, RtnetlinkHeaders.RTN_UNICAST, 0, "2001:db8::/64", replyFlags: 0));
        using var rt = new RtNetlink(transport);

        RouteInfo? route = rt.LookupRoute(IPAddress.Parse(address));

        Assert.Equal(IPNetwork.Parse("2001:db8::/64"), route?.Destination);
        var message = Decode(transport.Sent.Single());
        Assert.Equal(RtnetlinkHeaders.RTM_GETROUTE, message.Type);
        Assert.Equal(NetlinkHeaders.NLM_F_REQUEST, message.Flags);
        RtMsg header = RtMsg.Read(message.Payload);
        Assert.Equal(family, header.Family);
        Assert.Equal(length, header.DestinationLength);
        Assert.Equal(RtnetlinkHeaders.RTM_F_FIB_MATCH, header.Flags);
        Assert.Equal(IPAddress.Parse(address).GetAddressBytes(), message.Attributes.Single(a => a.Type == RtnetlinkHeaders.RTA_DST).Value);
    }

    [Theory]
    [InlineData(Errno.ENETUNREACH)]
    [InlineData(Errno.EHOSTUNREACH)]
    public void LookupRoute_is_null_when_nothing_routes_the_address(int errno)
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Failure(errno));
        using var rt = new RtNetlink(transport);

        Assert.Null(rt.LookupRoute(IPAddress.Parse("fd00::1")));
    }

    private static Func<uint, byte[]> Route(byte table, byte type, uint flags, string destination, uint? tableAttribute = null, ushort replyFlags = NetlinkHeaders.NLM_F_MULTI)
        => seq => KernelMessages.Message(RtnetlinkHeaders.RTM_NEWROUTE, replyFlags, seq, ScriptedTransport.OurPortId,
            (ref NetlinkMessageWriter w) =>
            {
                var network = IPNetwork.Parse(destination);
                new RtMsg(10, (byte)network.PrefixLength, 0, 0, table, 2, 0, type, flags).WriteTo(w.Reserve(RtMsg.Size));
                w.WriteUInt32(RtnetlinkHeaders.RTA_TABLE, tableAttribute ?? table);
                w.WriteAddress(RtnetlinkHeaders.RTA_DST, network.BaseAddress);
                w.WriteInt32(RtnetlinkHeaders.RTA_OIF, 2);
            });

    private static Func<uint, byte[]> Address(int index, string address, string? local, uint? flags32)
        => seq => KernelMessages.Message(RtnetlinkHeaders.RTM_NEWADDR, NetlinkHeaders.NLM_F_MULTI, seq, ScriptedTransport.OurPortId,
            (ref NetlinkMessageWriter w) =>
            {
                new IfAddrMsg(2, 24, 0x80, 0, index).WriteTo(w.Reserve(IfAddrMsg.Size));
                w.WriteAddress(IfAddrHeaders.IFA_ADDRESS, IPAddress.Parse(address));
                if (local is not null)
                {
                    w.WriteAddress(IfAddrHeaders.IFA_LOCAL, IPAddress.Parse(local));
                }

                if (flags32 is { } flags)
                {
                    w.WriteUInt32(IfAddrHeaders.IFA_FLAGS, flags);
                }
            });

    private static DecodedMessage Decode(byte[] datagram)
    {
        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.TryRead(out NetlinkMessage message));
        Assert.False(reader.TryRead(out _));
        int headerSize = message.Type switch
        {
            RtnetlinkHeaders.RTM_NEWLINK or RtnetlinkHeaders.RTM_GETLINK or RtnetlinkHeaders.RTM_DELLINK => IfInfoMsg.Size,
            RtnetlinkHeaders.RTM_NEWADDR or RtnetlinkHeaders.RTM_GETADDR => IfAddrMsg.Size,
            RtnetlinkHeaders.RTM_NEWROUTE or RtnetlinkHeaders.RTM_DELROUTE or RtnetlinkHeaders.RTM_GETROUTE => RtMsg.Size,
            _ => NdMsg.Size,
        };
        byte[] payload = message.Payload.ToArray();
        return new DecodedMessage(message.Type, message.Flags, payload, Attributes(payload[headerSize..]));
    }

    private static List<Attribute> Attributes(byte[] attributes)
    {
        var result = new List<Attribute>();
        var reader = new NetlinkAttributeReader(attributes);
        while (reader.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            result.Add(new Attribute(type, value.ToArray()));
        }

        return result;
    }

    private static string Text(Attribute attribute) => NetlinkAttributeReader.ReadString(attribute.Value);

    private sealed record DecodedMessage(ushort Type, ushort Flags, byte[] Payload, List<Attribute> Attributes);

    private sealed record Attribute(ushort Type, byte[] Value);
}
