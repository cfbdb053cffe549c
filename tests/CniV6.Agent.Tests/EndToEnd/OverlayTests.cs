using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using CniV6.Agent.Dataplane.Routing.Vxlan;
using CniV6.Agent.Tests.Infrastructure;
using CniV6.Linux;
using CniV6.Netlink;
using Xunit.Abstractions;
using static CniV6.Agent.Tests.Infrastructure.OverlayCluster;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// The overlay across a router that knows no pod CIDR (see <see cref="OverlayCluster"/>): n1, n2 on segment A,
/// n3, n4 on segment B. Each test starts the agents in the mode it is about, so they run in any order.
/// </summary>
[Collection(OverlayCollection.Name)]
public sealed partial class OverlayTests(OverlayCluster cluster, ITestOutputHelper output)
{
    private static readonly AddressFamily[] Families = [AddressFamily.InterNetworkV6, AddressFamily.InterNetwork];

    [Theory]
    [InlineData(Underlay.DualStack)]
    [InlineData(Underlay.IPv6Only)]
    [InlineData(Underlay.IPv4Only)]
    public async Task Hostgw_across_the_router_fails_while_vxlan_and_auto_answer_the_first_ping_in_both_families(Underlay underlay)
    {
        await cluster.StartAsync("hostgw", underlay);
        var (a, b) = (cluster.AddPod(1), cluster.AddPod(3));
        foreach (var family in Families)
        {
            Assert.False(Pings(a.Netns, Address(b, family), waitSeconds: 1), $"hostgw reached {Address(b, family)} across the router: the topology proves nothing");
        }

        foreach (var mode in new[] { "vxlan", "auto" })
        {
            await cluster.StartAsync(mode, underlay);
            var pods = Enumerable.Range(1, NodeCount).Select(cluster.AddPod).ToArray();
            foreach (var (from, to) in new[] { (0, 2), (0, 3), (0, 1), (2, 0), (3, 1) })
            {
                foreach (var family in Families)
                {
                    // The first echo request after ADD, once the agents are ready, is answered.
                    Assert.True(Pings(pods[from].Netns, Address(pods[to], family)),
                        $"{mode}/{underlay}: n{from + 1}'s pod got no answer from n{to + 1}'s pod at {Address(pods[to], family)}");
                }
            }
        }
    }

    [Fact]
    public async Task Cniv6_doctor_checks_the_tunnel_devices_and_FDB_entries_the_agent_recorded()
    {
        await cluster.StartAsync("vxlan");
        var healthy = NodeDoctor.Run(cluster.NodeNs(1), cluster.NodeDir(1));
        output.WriteLine(healthy.Output);
        Assert.Equal("ok", healthy.Single("routing", $"mode vxlan: {TunnelAddressing.DeviceNameIPv6} up, VNI 4096, port 4789, local {NodeIPv6(1)}, MTU {UplinkMtu - 70}, FDB entries for 3 peer(s)").Status);
        Assert.Equal("ok", healthy.Single("pod-cidrs", "are node n1's pod CIDRs").Status);
        Assert.Equal("ok", healthy.Single("mtu", $"fits tunnel {TunnelAddressing.DeviceNameIPv6}").Status);

        // The agent repairs this on its next sync; stopped (its dataplane stays), it cannot race the doctor.
        cluster.StopAgents();
        var peerMac = TunnelAddressing.FormatMac(TunnelAddressing.MacOf(NodeIPv6(3)));
        Shell.InNamespace(cluster.NodeNs(1), "bridge", "fdb", "del", peerMac, "dev", TunnelAddressing.DeviceNameIPv6, "dst", NodeIPv6(3).ToString(), "self");
        var broken = NodeDoctor.Run(cluster.NodeNs(1), cluster.NodeDir(1));
        output.WriteLine(broken.Output);

        Assert.Equal(1, broken.ExitCode);
        var finding = broken.Single("routing", $"no FDB entry for peer n3 ({peerMac} -> {NodeIPv6(3)})");
        Assert.Equal("fail", finding.Status);
        Assert.Equal($"bridge fdb replace {peerMac} dev {TunnelAddressing.DeviceNameIPv6} dst {NodeIPv6(3)} self permanent", finding.Fix);
        Shell.InNamespace(cluster.NodeNs(1), "sh", "-c", finding.Fix!);
        Assert.Equal("ok", NodeDoctor.Run(cluster.NodeNs(1), cluster.NodeDir(1)).Single("routing", "FDB entries for 3 peer(s)").Status);
    }

    [Fact]
    public async Task Auto_sends_same_subnet_traffic_unencapsulated_and_cross_subnet_traffic_through_the_tunnel()
    {
        await cluster.StartAsync("auto");
        var (p1, p2, p3) = (cluster.AddPod(1), cluster.AddPod(2), cluster.AddPod(3));
        var n1 = cluster.NodeNs(1);
        var tunnel = Link(n1, TunnelAddressing.DeviceNameIPv6);
        var uplink = Link(n1, "eth0");

        var routes = NodeRoutes(n1);
        var toN2 = routes.Single(r => r.Destination == IPNetwork.Parse("fd00:10:244:2::/64"));
        Assert.Equal((NodeIPv6(2), uplink.Index, false), (toN2.Gateway, toN2.OutputIndex, toN2.OnLink));
        var toN3 = routes.Single(r => r.Destination == IPNetwork.Parse("10.244.3.0/24"));
        Assert.Equal((IPAddress.Parse("10.244.3.0"), tunnel.Index, true), (toN3.Gateway, toN3.OutputIndex, toN3.OnLink));

        var before = TxPackets(n1, TunnelAddressing.DeviceNameIPv6);
        foreach (var family in Families)
        {
            Assert.True(Pings(p1.Netns, Address(p2, family), count: 20));
        }

        var sameSubnet = TxPackets(n1, TunnelAddressing.DeviceNameIPv6) - before;
        foreach (var family in Families)
        {
            Assert.True(Pings(p1.Netns, Address(p3, family), count: 20));
        }

        var crossSubnet = TxPackets(n1, TunnelAddressing.DeviceNameIPv6) - before - sameSubnet;
        output.WriteLine($"{TunnelAddressing.DeviceNameIPv6} tx packets: +{sameSubnet} for 40 pings to n2, +{crossSubnet} for 40 pings to n3");
        Assert.InRange(sameSubnet, 0, 3);
        Assert.InRange(crossSubnet, 40, 60);
    }

    [Theory]
    [InlineData(Underlay.DualStack, 70)]
    [InlineData(Underlay.IPv4Only, 50)]
    public async Task A_DF_ping_at_exactly_the_pod_MTU_crosses_the_tunnel_and_one_byte_more_gets_the_ICMP_error_back(Underlay underlay, int overhead)
    {
        await cluster.StartAsync("vxlan", underlay);
        var (source, target) = (cluster.AddPod(1), cluster.AddPod(3));
        var mtu = UplinkMtu - overhead;
        Assert.Equal(mtu, Link(source.Netns, "eth0").Mtu);
        Assert.Contains($"\"mtu\":{mtu}", File.ReadAllText(Path.Combine(cluster.NodeDir(1), "net.d", "10-cniv6.conflist")).Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);

        Assert.True(Pings(source.Netns, target.IPv6, extra: ["-M", "do", "-s", (mtu - 48).ToString()]), "IPv6 at the pod MTU");
        Assert.True(Pings(source.Netns, target.IPv4, extra: ["-M", "do", "-s", (mtu - 28).ToString()]), "IPv4 at the pod MTU");

        // One byte more can only leave a pod whose interface is larger than the tunnel: one created before the
        // conflist MTU followed the mode. Its node must answer with the ICMP error, so path MTU discovery works.
        SetMtu(source.Netns, "eth0", UplinkMtu);
        SetMtu(cluster.NodeNs(1), HostVethOf(cluster.NodeNs(1), source), UplinkMtu);
        var v6 = PingOutput(source.Netns, target.IPv6, ["-M", "do", "-s", (mtu - 48 + 1).ToString()]);
        var v4 = PingOutput(source.Netns, target.IPv4, ["-M", "do", "-s", (mtu - 28 + 1).ToString()]);
        output.WriteLine(v6);
        output.WriteLine(v4);
        Assert.Contains($"Packet too big: mtu={mtu}", v6, StringComparison.Ordinal);
        Assert.Contains($"Frag needed and DF set (mtu = {mtu})", v4, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_VXLAN_packet_from_a_host_that_is_no_node_does_not_reach_the_pod()
    {
        await cluster.StartAsync("vxlan");
        var pod = cluster.AddPod(1);
        var frame = ForgedVxlan.Datagram(VxlanOptions.DefaultVni, TunnelAddressing.MacOf(NodeIPv6(1)), TunnelAddressing.MacOf(NodeIPv6(3)),
                                         IPAddress.Parse("fd00:10:244:3::99"), pod.IPv6, 9999, Encoding.ASCII.GetBytes("forged"));
        using var listener = NetNamespace.Run(InNamespace.PathOf(pod.Netns), () => new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp));
        listener.Bind(new IPEndPoint(IPAddress.IPv6Any, 9999));

        // The same bytes from a node address are delivered: the frame is a valid one.
        SendUdp(cluster.NodeNs(3), NodeIPv6(1), VxlanOptions.DefaultPort, frame);
        Assert.True(await ReceivesAsync(listener, TimeSpan.FromSeconds(3)), "the frame from n3 did not reach the pod: the forged frame proves nothing");

        SendUdp(cluster.Rogue, NodeIPv6(1), VxlanOptions.DefaultPort, frame);
        Assert.False(await ReceivesAsync(listener, TimeSpan.FromSeconds(2)), "a VXLAN packet from a non-node address reached the pod");

        var table = Shell.InNamespace(cluster.NodeNs(1), "nft", "list", "table", "inet", VxlanFirewall.Table);
        output.WriteLine(table);
        Assert.Matches(@"ip6 saddr != @nodes6 counter packets [1-9]", table);
    }

    [Fact]
    public async Task Pods_keep_their_source_address_through_the_tunnel_and_are_masqueraded_leaving_the_cluster()
    {
        await cluster.StartAsync("auto");
        var (p1, p3) = (cluster.AddPod(1), cluster.AddPod(3));
        var port = 7300;
        foreach (var family in Families)
        {
            var seen = await InNamespace.SourceSeenByAsync(p3.Netns, p1.Netns, Address(p3, family), port++);
            Assert.Equal(Address(p1, family), seen);

            var outside = family == AddressFamily.InterNetworkV6 ? OutsideIPv6 : OutsideIPv4;
            var node = family == AddressFamily.InterNetworkV6 ? NodeIPv6(1) : NodeIPv4(1);
            Assert.Equal(node, await InNamespace.SourceSeenByAsync(cluster.Router, p1.Netns, outside, port++));
        }
    }

    [Fact]
    public async Task Switching_modes_removes_what_the_old_mode_installed_and_nothing_else()
    {
        var n1 = cluster.NodeNs(1);
        await cluster.StartAsync("auto");
        Assert.NotNull(TryLink(n1, TunnelAddressing.DeviceNameIPv6));
        Assert.True(HasFirewall(n1));

        await cluster.StartAsync("hostgw");
        Assert.Null(TryLink(n1, TunnelAddressing.DeviceNameIPv6));
        Assert.Null(TryLink(n1, TunnelAddressing.DeviceNameIPv4));
        Assert.False(HasFirewall(n1));
        var eth0 = Link(n1, "eth0").Index;
        Assert.Equal(["10.244.2.0/24", "fd00:10:244:2::/64"], NodeRoutes(n1).Select(r => r.Destination.ToString()).Order(StringComparer.Ordinal));
        Assert.All(NodeRoutes(n1), r => Assert.Equal(eth0, r.OutputIndex));
        Assert.Contains(InNamespace.Routes(n1, AddressFamily.InterNetworkV6), r => r.Destination.PrefixLength == 0);

        await cluster.StartAsync("vxlan");
        var tunnel = Link(n1, TunnelAddressing.DeviceNameIPv6).Index;
        Assert.Equal(6, NodeRoutes(n1).Count);
        Assert.All(NodeRoutes(n1), r => Assert.Equal(tunnel, r.OutputIndex));
    }

    [Fact]
    public async Task Uninstall_in_an_overlay_mode_removes_the_tunnel_devices_their_routes_and_the_firewall_table()
    {
        await cluster.StartAsync("vxlan", Underlay.DualStack);
        var n3 = cluster.NodeNs(3);
        Assert.NotNull(TryLink(n3, TunnelAddressing.DeviceNameIPv6));
        Assert.True(HasFirewall(n3));
        Assert.Equal(6, NodeRoutes(n3).Count);
        cluster.Agent(3).Kill();

        var (exit, text, error) = Shell.TryRun(TimeSpan.FromSeconds(60), "ip", ["netns", "exec", n3, RequiredFiles.Agent, "uninstall", .. cluster.AgentArgs(3)]);
        output.WriteLine(text + error);

        Assert.True(exit == 0, $"uninstall exited {exit}: {error}\n{text}");
        Assert.Null(TryLink(n3, TunnelAddressing.DeviceNameIPv6));
        Assert.Null(TryLink(n3, TunnelAddressing.DeviceNameIPv4));
        Assert.False(HasFirewall(n3));
        Assert.Empty(NodeRoutes(n3));
        Assert.Contains("removed route fd00:10:244:1::/64 via fd00:10:244:1::", text, StringComparison.Ordinal);
        Assert.NotNull(TryLink(n3, "eth0"));
    }

    [Fact]
    public async Task An_agent_SIGKILLed_and_restarted_loses_no_ping_and_adopts_the_tunnel()
    {
        await cluster.StartAsync("auto");
        var (source, target) = (cluster.AddPod(1), cluster.AddPod(3));
        var n1 = cluster.NodeNs(1);
        var device = Link(n1, TunnelAddressing.DeviceNameIPv6);
        var pings = Families.Select(f => Task.Run(() => PingLoss(source.Netns, Address(target, f), count: 60))).ToArray();

        await Task.Delay(1000);
        foreach (var node in new[] { 1, 3 })
        {
            cluster.Agent(node).Kill();
            cluster.StartAgent(node);
        }

        foreach (var node in new[] { 1, 3 })
        {
            await cluster.WaitUntilReadyAsync(node);
        }

        var results = await Task.WhenAll(pings);
        output.WriteLine($"lost: {string.Join(", ", results.Select(r => $"{r.Lost} of {r.Sent}"))}");
        Measurements.Record("overlay_sigkill_restart_lost_pings", string.Join(", ", results.Select(r => $"{r.Lost}/{r.Sent}")));
        Assert.All(results, r => Assert.Equal((60, 0), r));
        Assert.Equal(device.Index, Link(n1, TunnelAddressing.DeviceNameIPv6).Index);
        Assert.DoesNotContain($"Created {TunnelAddressing.DeviceNameIPv6}", cluster.Agent(1).Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_Kubernetes_source_a_removed_node_loses_its_FDB_neighbours_and_routes_on_every_node_and_a_new_one_gets_them()
    {
        await cluster.StartWithKubernetesAsync("auto");
        try
        {
            var (p1, p4) = (cluster.AddPod(1), cluster.AddPod(4));
            foreach (var family in Families)
            {
                Assert.True(Pings(p1.Netns, Address(p4, family)));
            }

            Assert.True(Node4Installed(1) && Node4Installed(2) && Node4Installed(3));
            var clock = Stopwatch.StartNew();
            cluster.Api!.Delete("n4");
            var deleted = await WaitForNode4Async(present: false);
            clock.Restart();
            cluster.Api.Upsert(NodeObject(4, Underlay.DualStack));
            var added = await WaitForNode4Async(present: true);
            output.WriteLine($"node deleted → gone on n1..n3: {deleted.TotalMilliseconds:F0} ms; added → in place: {added.TotalMilliseconds:F0} ms");
            Measurements.Record("overlay_node_change_to_routes_ms", $"added {added.TotalMilliseconds:F0}, deleted {deleted.TotalMilliseconds:F0}");
            foreach (var family in Families)
            {
                Assert.True(Pings(p1.Netns, Address(p4, family)));
            }
        }
        finally
        {
            cluster.StopAgents();
        }
    }

    /// <summary>n4's FDB entry, neighbours and routes on <paramref name="node"/>: through the tunnel from segment A, direct from n3.</summary>
    private bool Node4Installed(int node)
    {
        var netns = cluster.NodeNs(node);
        var routes = NodeRoutes(netns).Where(r => r.Destination == IPNetwork.Parse("fd00:10:244:4::/64") || r.Destination == IPNetwork.Parse("10.244.4.0/24")).ToArray();
        if (node == 3)
        {
            return routes.Length == 2 && routes.All(r => !r.OnLink);
        }

        var device = TryLink(netns, TunnelAddressing.DeviceNameIPv6);
        if (device is null)
        {
            return false;
        }

        var (fdb, neighbors) = NetNamespace.Run(InNamespace.PathOf(netns), () =>
        {
            using var netlink = RtNetlink.Open();
            return (netlink.ListFdbEntries(device.Index), netlink.ListNeighbors(AddressFamily.Unspecified, device.Index));
        });
        var mac = TunnelAddressing.MacOf(NodeIPv6(4));
        var hasFdb = fdb.Any(e => e.Mac.AsSpan().SequenceEqual(mac) && NodeIPv6(4).Equals(e.Destination));
        var hasNeighbors = neighbors.Count(n => n.Mac.AsSpan().SequenceEqual(mac)) == 2;
        return routes.Length == 2 && routes.All(r => r.OnLink && r.OutputIndex == device.Index) && hasFdb && hasNeighbors;
    }

    /// <summary>For removal: nothing of n4's may be left (no FDB entry, no neighbour, no route) on any node.</summary>
    private bool Node4Gone(int node)
    {
        var netns = cluster.NodeNs(node);
        var mac = TunnelAddressing.MacOf(NodeIPv6(4));
        var leftovers = NodeRoutes(netns).Count(r => r.Destination.ToString() is "fd00:10:244:4::/64" or "10.244.4.0/24");
        if (TryLink(netns, TunnelAddressing.DeviceNameIPv6) is { } device)
        {
            leftovers += NetNamespace.Run(InNamespace.PathOf(netns), () =>
            {
                using var netlink = RtNetlink.Open();
                return netlink.ListFdbEntries(device.Index).Count(e => e.Mac.AsSpan().SequenceEqual(mac))
                       + netlink.ListNeighbors(AddressFamily.Unspecified, device.Index).Count(n => n.Mac.AsSpan().SequenceEqual(mac));
            });
        }

        return leftovers == 0;
    }

    private async Task<TimeSpan> WaitForNode4Async(bool present)
    {
        var clock = Stopwatch.StartNew();
        var pending = new HashSet<int> { 1, 2, 3 };
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            pending.RemoveWhere(node => present ? Node4Installed(node) : Node4Gone(node));
            if (pending.Count == 0)
            {
                return clock.Elapsed;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"n4 still {(present ? "missing" : "present")} on n{string.Join(", n", pending)}:\n{cluster.Agent(pending.First()).Log}");
    }

    /// <summary>The node routes the agent owns (protocol 198 with a gateway), both families.</summary>
    private static List<RouteInfo> NodeRoutes(string netns) =>
        [.. Families.SelectMany(f => InNamespace.Routes(netns, f)).Where(r => r.Protocol == RouteProtocol.CniV6 && r.Gateway is not null)];

    private static LinkInfo? TryLink(string netns, string name) =>
        NetNamespace.Run(InNamespace.PathOf(netns), () =>
        {
            using var netlink = RtNetlink.Open();
            return netlink.GetLink(name);
        });

    private static LinkInfo Link(string netns, string name) => TryLink(netns, name) ?? throw new InvalidOperationException($"no {name} in {netns}");

    /// <summary>The node end of the pod's veth, found by the alias the plugin gives it (it names the container id).</summary>
    private static string HostVethOf(string nodeNetns, TestPod pod) =>
        NetNamespace.Run(InNamespace.PathOf(nodeNetns), () =>
        {
            using var netlink = RtNetlink.Open();
            return netlink.ListLinks().Single(l => l.Alias?.Contains($" {pod.Netns} ", StringComparison.Ordinal) == true).Name;
        });

    private static void SetMtu(string netns, string link, int mtu) => Shell.Run("ip", "-n", netns, "link", "set", link, "mtu", mtu.ToString());

    private static long TxPackets(string netns, string link) =>
        long.Parse(Shell.InNamespace(netns, "cat", $"/sys/class/net/{link}/statistics/tx_packets").Trim());

    private static bool HasFirewall(string netns) =>
        Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "exec", netns, "nft", "list", "table", "inet", VxlanFirewall.Table).ExitCode == 0;

    private static void SendUdp(string netns, IPAddress target, int port, byte[] payload)
    {
        using var socket = NetNamespace.Run(InNamespace.PathOf(netns), () => new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
        socket.SendTo(payload, new IPEndPoint(target, port));
    }

    private static async Task<bool> ReceivesAsync(Socket listener, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[2048];
        try
        {
            await listener.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>True when all <paramref name="count"/> echo requests are answered.</summary>
    private static bool Pings(string netns, IPAddress target, int waitSeconds = 2, int count = 1, string[]? extra = null)
    {
        string[] args = ["netns", "exec", netns, "ping", "-c", count.ToString(), "-i", "0.01", "-W", waitSeconds.ToString(), .. extra ?? [], target.ToString()];
        var (exit, text, _) = Shell.TryRun(TimeSpan.FromSeconds(30), "ip", args);
        return exit == 0 && text.Contains($"{count} received", StringComparison.Ordinal);
    }

    private static string PingOutput(string netns, IPAddress target, string[] extra)
    {
        var (_, text, error) = Shell.TryRun(TimeSpan.FromSeconds(30), "ip", ["netns", "exec", netns, "ping", "-c", "1", "-W", "2", .. extra, target.ToString()]);
        return text + error;
    }

    /// <summary>Pings every 100 ms; returns (sent, lost).</summary>
    private static (int Sent, int Lost) PingLoss(string netns, IPAddress target, int count)
    {
        var (_, text, _) = Shell.TryRun(TimeSpan.FromSeconds(60), "ip", "netns", "exec", netns, "ping", "-i", "0.1", "-W", "1", "-c", count.ToString(), target.ToString());
        var match = TransmittedReceived().Match(text);
        var (sent, received) = (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
        return (sent, sent - received);
    }

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received")]
    private static partial Regex TransmittedReceived();
}
