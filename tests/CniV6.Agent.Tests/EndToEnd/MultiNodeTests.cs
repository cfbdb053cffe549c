using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Tests.Infrastructure;
using CniV6.Netlink;
using Xunit.Abstractions;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// Three nodes, each with its own agent and one pod, against a fake apiserver (see <see cref="MultiNodeCluster"/>).
/// Every test leaves the cluster as it found it (agents running, n4 absent), so they can run in any order.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class MultiNodeTests(MultiNodeCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public void Pods_get_a_128_and_a_32_from_their_nodes_pod_cidrs()
    {
        for (var node = 1; node <= MultiNodeCluster.NodeCount; node++)
        {
            var pod = cluster.Pods[node];
            Assert.Equal(128, pod.IPv6PrefixLength);
            Assert.Equal(32, pod.IPv4PrefixLength);
            Assert.True(IPNetwork.Parse($"fd00:10:244:{node}::/64").Contains(pod.IPv6), $"{pod.IPv6} outside n{node}'s IPv6 pod CIDR");
            Assert.True(IPNetwork.Parse($"10.244.{node}.0/24").Contains(pod.IPv4), $"{pod.IPv4} outside n{node}'s IPv4 pod CIDR");
        }
    }

    [Fact]
    public void Cniv6_doctor_reports_every_check_ok_on_every_healthy_node()
    {
        for (var node = 1; node <= MultiNodeCluster.NodeCount; node++)
        {
            var doctor = NodeDoctor.Run(cluster.NodeNs(node), cluster.NodeDir(node));
            output.WriteLine($"n{node}:\n{doctor.Output}");

            Assert.True(doctor.Findings.All(f => f.Status == "ok"), $"n{node}:\n{doctor.Output}");
            Assert.Equal((0, "ok"), (doctor.ExitCode, doctor.Result));
            // What the agent recorded for doctor, compared for real: this node's pod CIDRs, and the routing mode
            // (auto on one segment: every peer direct, no tunnel).
            doctor.Single("pod-cidrs", $"pools 10.244.{node}.0/24, fd00:10:244:{node}::/64 are node n{node}'s pod CIDRs");
            doctor.Single("routing", "mode auto: every peer reached directly, no tunnel device needed");
            doctor.Single("accept_ra", "eth0: RA default route, accept_ra = 2");
            doctor.Single("ipam", "1 allocations of network");
        }
    }

    [Theory]
    [InlineData(AddressFamily.InterNetworkV6)]
    [InlineData(AddressFamily.InterNetwork)]
    public async Task Pods_on_different_nodes_reach_each_other_with_their_own_addresses(AddressFamily family)
    {
        foreach (var (from, to) in new[] { (1, 2), (2, 3), (3, 1) })
        {
            var source = cluster.Pods[from];
            var target = cluster.Pods[to];
            Ping(source.Netns, Address(target, family));

            var seen = await InNamespace.SourceSeenByAsync(target.Netns, source.Netns, Address(target, family), 7000 + from);

            Assert.Equal(Address(source, family), seen);
        }
    }

    [Theory]
    [InlineData(AddressFamily.InterNetworkV6)]
    [InlineData(AddressFamily.InterNetwork)]
    public async Task Pods_reach_the_internet_masqueraded_as_their_node(AddressFamily family)
    {
        for (var node = 1; node <= MultiNodeCluster.NodeCount; node++)
        {
            var internet = family == AddressFamily.InterNetworkV6 ? MultiNodeCluster.InternetIPv6 : MultiNodeCluster.InternetIPv4;
            var nodeAddress = family == AddressFamily.InterNetworkV6 ? MultiNodeCluster.NodeIPv6(node) : MultiNodeCluster.NodeIPv4(node);

            var seen = await InNamespace.SourceSeenByAsync(cluster.Internet, cluster.Pods[node].Netns, internet, 7100 + node);

            Assert.Equal(nodeAddress, seen);
        }
    }

    [Fact]
    public void Nodes_keep_their_router_advertised_ipv6_default_route_with_forwarding_on()
    {
        for (var node = 1; node <= MultiNodeCluster.NodeCount; node++)
        {
            var netns = cluster.NodeNs(node);
            Assert.Equal("1", MultiNodeCluster.Sysctl(netns, "net.ipv6.conf.all.forwarding"));
            Assert.Equal("1", MultiNodeCluster.Sysctl(netns, "net.ipv4.ip_forward"));
            Assert.Equal("2", MultiNodeCluster.Sysctl(netns, "net.ipv6.conf.eth0.accept_ra"));
            Assert.Contains("proto ra", cluster.Ipv6DefaultRoute(node), StringComparison.Ordinal);
        }

        // And it is in use: a node reaches the "internet" over IPv6 through the router it learned from the RA.
        Ping(cluster.NodeNs(1), MultiNodeCluster.InternetIPv6);
    }

    [Fact]
    public void Routes_to_other_nodes_carry_the_cniv6_protocol_and_leave_other_routes_alone()
    {
        var routes = InNamespace.Routes(cluster.NodeNs(1), AddressFamily.InterNetworkV6)
                                .Concat(InNamespace.Routes(cluster.NodeNs(1), AddressFamily.InterNetwork)).ToArray();
        var nodeRoutes = routes.Where(r => r.Protocol == RouteProtocol.CniV6 && r.Gateway is not null).ToArray();

        Assert.Equal(4, nodeRoutes.Length);
        Assert.Contains(nodeRoutes, r => r.Destination == IPNetwork.Parse("fd00:10:244:2::/64") && r.Gateway!.Equals(MultiNodeCluster.NodeIPv6(2)));
        Assert.Contains(nodeRoutes, r => r.Destination == IPNetwork.Parse("10.244.3.0/24") && r.Gateway!.Equals(MultiNodeCluster.NodeIPv4(3)));
        Assert.Contains(routes, r => r.Protocol == RouteProtocol.RouterAdvertisement);
    }

    [Fact]
    public async Task Adding_and_deleting_a_node_adds_and_removes_routes_on_every_node()
    {
        var n4 = MultiNodeCluster.NodeObject(4);
        var clock = Stopwatch.StartNew();
        cluster.Api.Upsert(n4);
        var added = await WaitForRoutesAsync(present: true);
        output.WriteLine($"node ADDED → routes on all {MultiNodeCluster.NodeCount} nodes: {added.TotalMilliseconds:F0} ms");
        var inAgent = new List<string>();
        for (var node = 1; node <= MultiNodeCluster.NodeCount; node++)
        {
            var metrics = await cluster.MetricsAsync(node);
            inAgent.Add(metrics.Split('\n').Single(l => l.StartsWith("cniv6_agent_change_to_routes_seconds ", StringComparison.Ordinal)).Split(' ')[1]);
        }

        output.WriteLine($"agents' own event → routes (s): {string.Join(", ", inAgent)}");

        clock.Restart();
        cluster.Api.Delete("n4");
        var deleted = await WaitForRoutesAsync(present: false);
        output.WriteLine($"node DELETED → routes gone on all nodes: {deleted.TotalMilliseconds:F0} ms");
        Measurements.Record("node_change_to_routes_ms", $"added {added.TotalMilliseconds:F0}, deleted {deleted.TotalMilliseconds:F0}; in-agent event→routes s: {string.Join(", ", inAgent)}");

        // A compacted history (410 Gone on the next watch) makes every agent list again and still follow changes.
        cluster.Api.ExpireHistory();
        cluster.Api.Upsert(n4);
        await WaitForRoutesAsync(present: true);
        cluster.Api.Delete("n4");
        await WaitForRoutesAsync(present: false);
        Assert.Contains("cniv6_agent_relists_total 2", await cluster.MetricsAsync(1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pods_stay_connected_while_an_agent_is_killed_and_restarted()
    {
        var source = cluster.Pods[1];
        var target = cluster.Pods[2];
        var ping6 = Task.Run(() => PingLoss(source.Netns, target.IPv6, count: 60));
        var ping4 = Task.Run(() => PingLoss(source.Netns, target.IPv4, count: 60));

        await Task.Delay(1000);
        foreach (var node in new[] { 1, 2 })
        {
            cluster.Agent(node).Kill();
        }

        await Task.Delay(1500);
        foreach (var node in new[] { 1, 2 })
        {
            cluster.Agent(node).Dispose();
            cluster.StartAgent(node);
        }

        foreach (var node in new[] { 1, 2 })
        {
            await cluster.WaitUntilReadyAsync(node);
        }

        Assert.Equal((60, 0), await ping6);
        Assert.Equal((60, 0), await ping4);
        // The restarted agents found the routes they had made and changed nothing.
        Assert.Contains("cniv6_agent_routes_replaced_total 0", await cluster.MetricsAsync(1), StringComparison.Ordinal);
        Assert.Contains("cniv6_agent_routes_deleted_total 0", await cluster.MetricsAsync(2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_stops_the_agent_cleanly_and_leaves_the_dataplane()
    {
        var agent = cluster.Agent(3);
        agent.Terminate();

        Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(10)), "agent did not stop within 10 s of SIGTERM");
        Assert.Equal(0, agent.ExitCode);
        Assert.True(File.Exists(cluster.ConflistPath(3)));
        Assert.Equal(4, InNamespace.Routes(cluster.NodeNs(3), AddressFamily.InterNetworkV6)
                                   .Concat(InNamespace.Routes(cluster.NodeNs(3), AddressFamily.InterNetwork))
                                   .Count(r => r.Protocol == RouteProtocol.CniV6 && r.Gateway is not null));
        Ping(cluster.Pods[3].Netns, cluster.Pods[1].IPv6);
        Ping(cluster.Pods[3].Netns, cluster.Pods[1].IPv4);

        agent.Dispose();
        cluster.StartAgent(3);
        await cluster.WaitUntilReadyAsync(3);
    }

    [Fact]
    public async Task Idle_agents_stay_small()
    {
        await Task.Delay(2000);
        var rss = Enumerable.Range(1, MultiNodeCluster.NodeCount).Select(n => cluster.Agent(n).ResidentKib()).ToArray();
        output.WriteLine($"idle RSS (KiB): {string.Join(", ", rss)}");
        Measurements.Record("agent_idle_rss_kib", string.Join(", ", rss));

        Assert.All(rss, kib => Assert.InRange(kib, 1, 80 * 1024));
    }

    private async Task<TimeSpan> WaitForRoutesAsync(bool present)
    {
        var clock = Stopwatch.StartNew();
        var pending = Enumerable.Range(1, MultiNodeCluster.NodeCount).ToHashSet();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            pending.RemoveWhere(node => HasNode4Routes(node) == present);
            if (pending.Count == 0)
            {
                return clock.Elapsed;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"n4's routes still {(present ? "missing" : "present")} on n{string.Join(", n", pending)}:\n{cluster.Agent(pending.First()).Log}");
    }

    private bool HasNode4Routes(int node)
    {
        var v6 = InNamespace.Routes(cluster.NodeNs(node), AddressFamily.InterNetworkV6)
                            .Any(r => r.Protocol == RouteProtocol.CniV6 && r.Destination == IPNetwork.Parse("fd00:10:244:4::/64")
                                      && MultiNodeCluster.NodeIPv6(4).Equals(r.Gateway));
        var v4 = InNamespace.Routes(cluster.NodeNs(node), AddressFamily.InterNetwork)
                            .Any(r => r.Protocol == RouteProtocol.CniV6 && r.Destination == IPNetwork.Parse("10.244.4.0/24")
                                      && MultiNodeCluster.NodeIPv4(4).Equals(r.Gateway));
        return v6 && v4;
    }

    private static IPAddress Address(TestPod pod, AddressFamily family) => family == AddressFamily.InterNetworkV6 ? pod.IPv6 : pod.IPv4;

    private static void Ping(string netns, IPAddress target) =>
        Shell.InNamespace(netns, "ping", "-c", "1", "-W", "3", target.ToString());

    /// <summary>Pings every 100 ms; returns (sent, lost).</summary>
    private static (int Sent, int Lost) PingLoss(string netns, IPAddress target, int count)
    {
        var (_, text, _) = Shell.TryRun(TimeSpan.FromSeconds(60), "ip", "netns", "exec", netns, "ping", "-i", "0.1", "-W", "1", "-c", count.ToString(), target.ToString());
        var summary = text.Split('\n').First(l => l.Contains("packets transmitted", StringComparison.Ordinal));
        // "60 packets transmitted, 60 received, 0% packet loss, time 5900ms"
        var numbers = summary.Split(',').Take(2).Select(part => int.Parse(part.Trim().Split(' ')[0])).ToArray();
        return (numbers[0], numbers[0] - numbers[1]);
    }
}
