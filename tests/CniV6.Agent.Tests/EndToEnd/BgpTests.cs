using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using CniV6.Agent.Tests.Infrastructure;
using Xunit.Abstractions;
using static CniV6.Agent.Tests.Infrastructure.BgpCluster;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// The bgp mode against a ToR running Debian's BIRD (see <see cref="BgpCluster"/>): n1, n2 on segment A, n3 on
/// segment B, no default routes, no encapsulation. Convergence times are written to the measurements file.
/// </summary>
[Collection(BgpCollection.Name)]
public sealed class BgpTests(BgpCluster cluster, ITestOutputHelper output)
{
    private static readonly string[] TorRoutes6 = ["fd00:10:244:1::/64", "fd00:10:244:2::/64", "fd00:10:244:3::/64"];
    private static readonly string[] TorRoutes4 = ["10.244.1.0/24", "10.244.2.0/24", "10.244.3.0/24"];

    [Fact]
    public async Task Pods_on_two_subnets_ping_over_routes_learned_from_the_tor_which_learns_only_pod_cidrs()
    {
        var clock = Stopwatch.StartNew();
        await cluster.StartAsync([1, 2, 3], TorPeering());
        var ready = clock.Elapsed;
        await ConvergedAsync(TimeSpan.FromSeconds(60));
        var converged = clock.Elapsed;
        Report("bgp_tor_agents_ready_seconds", ready);
        Report("bgp_tor_converged_seconds", converged);

        var pods = new[] { cluster.AddPod(1), cluster.AddPod(2), cluster.AddPod(3) };
        foreach (var family in new[] { AddressFamily.InterNetworkV6, AddressFamily.InterNetwork })
        {
            foreach (var (from, to) in new[] { (0, 2), (2, 0), (0, 1), (1, 2) })
            {
                Assert.True(Pings(pods[from].Netns, Address(pods[to], family)),
                            $"n{from + 1} → n{to + 1} {family}: first ping after the sessions are up\n{Diagnostics()}");
            }
        }

        // The ToR knows exactly the nodes' pod CIDRs from the nodes: no host route, no /128 of a pod, nothing else.
        Assert.Equal(TorRoutes6, BgpTorLearned("-6"));
        Assert.Equal(TorRoutes4, BgpTorLearned("-4"));

        for (var node = 1; node <= NodeCount; node++)
        {
            // Each node took only the other nodes' CIDRs: none of the ToR's bait (default, foreign, unassigned).
            Assert.Equal(TorRoutes6.Where(c => c != PodCidrs(node)[0]), BirdRoutes(cluster.NodeNs(node), "-6"));
            Assert.Equal(TorRoutes4.Where(c => c != PodCidrs(node)[1]), BirdRoutes(cluster.NodeNs(node), "-4"));
            Assert.Empty(Shell.Run("ip", "-n", cluster.NodeNs(node), "-d", "link", "show", "type", "vxlan").Trim());
        }

        Assert.Contains("metric 198", Shell.Run("ip", "-n", cluster.NodeNs(1), "-6", "route", "show", "fd00:10:244:3::/64"), StringComparison.Ordinal);
        var metrics = await cluster.MetricsAsync(1);
        var torSession = metrics.Split('\n').Single(l => l.StartsWith("cniv6_agent_bgp_session_established{", StringComparison.Ordinal)
                                                         && l.Contains("peer=\"fd00:a11::fe\"", StringComparison.Ordinal));
        Assert.Contains("state=\"Established\"", torSession, StringComparison.Ordinal);
        Assert.EndsWith(" 1", torSession, StringComparison.Ordinal);
        Assert.Contains("cniv6_agent_bird_up 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Killing_bird_on_a_node_keeps_pod_traffic_flowing_and_its_sessions_come_back()
    {
        await cluster.StartAsync([1, 2, 3], TorPeering());
        await ConvergedAsync(TimeSpan.FromSeconds(60));
        var (p1, p3) = (cluster.AddPod(1), cluster.AddPod(3));
        Assert.True(Pings(p3.Netns, p1.IPv6), Diagnostics());
        var killed = cluster.BirdPid(1) ?? throw new InvalidOperationException("n1 runs no BIRD");

        // 150 pings 100 ms apart in each family (15 s) across the kill, the restart and the session's return.
        var flow6 = Task.Run(() => PingLoss(p3.Netns, p1.IPv6, 150));
        var flow4 = Task.Run(() => PingLoss(p1.Netns, p3.IPv4, 150));
        await Task.Delay(1000);
        Shell.Run("kill", "-KILL", killed.ToString());
        var restarted = await UntilAsync(() => cluster.BirdPid(1) is { } pid && pid != killed, TimeSpan.FromSeconds(30));
        var back = await UntilAsync(() => Sessions(cluster.TorSocket) is var s && s.GetValueOrDefault("n1_v6") == "Established"
                                                                                && s.GetValueOrDefault("n1_v4") == "Established", TimeSpan.FromSeconds(60));
        var (sent6, lost6) = await flow6;
        var (sent4, lost4) = await flow4;
        Report("bgp_bird_killed_restarted_seconds", restarted);
        Report("bgp_bird_killed_sessions_back_seconds", back);
        output.WriteLine($"lost {lost6}/{sent6} IPv6, {lost4}/{sent4} IPv4 pings while BIRD on n1 was killed and restarted");
        Measurements.Record("bgp_bird_killed_pings_lost", $"{lost6}/{sent6} ipv6 {lost4}/{sent4} ipv4");

        Assert.Equal(0, lost6);
        Assert.Equal(0, lost4);
        Assert.Contains("cniv6_agent_bird_starts_total 2", await cluster.MetricsAsync(1), StringComparison.Ordinal);
        Assert.Equal(TorRoutes6, BgpTorLearned("-6"));
    }

    [Fact]
    public async Task A_node_removed_from_the_cluster_has_its_routes_withdrawn_everywhere()
    {
        await cluster.StartAsync([1, 2, 3], TorPeering());
        await ConvergedAsync(TimeSpan.FromSeconds(60));

        var clock = Stopwatch.StartNew();
        cluster.Api!.Delete("n3");
        var nodesForgot = await UntilAsync(() => new[] { 1, 2 }.All(node =>
            !BirdRoutes(cluster.NodeNs(node), "-6").Contains(PodCidrs(3)[0]) && !BirdRoutes(cluster.NodeNs(node), "-4").Contains(PodCidrs(3)[1])),
            TimeSpan.FromSeconds(60));
        Report("bgp_node_deleted_other_nodes_withdrawn_seconds", nodesForgot);

        // The node itself goes: its agent stops and uninstall stops its BIRD, which tells the ToR.
        cluster.StopAgent(3);
        clock.Restart();
        output.WriteLine(cluster.Uninstall(3));
        var torForgot = await UntilAsync(() => !BgpTorLearned("-6").Contains(PodCidrs(3)[0]) && !BgpTorLearned("-4").Contains(PodCidrs(3)[1]),
                                         TimeSpan.FromSeconds(60));
        Report("bgp_node_uninstalled_tor_withdrawn_seconds", torForgot);

        Assert.Empty(BirdRoutes(cluster.NodeNs(3), "-6"));
        Assert.Empty(BirdRoutes(cluster.NodeNs(3), "-4"));
        Assert.Null(cluster.BirdPid(3));
        Assert.Equal(TorRoutes6[..2], BgpTorLearned("-6"));
        Assert.Equal(TorRoutes4[..2], BgpTorLearned("-4"));
    }

    [Fact]
    public async Task A_full_mesh_between_nodes_on_one_segment_works_without_the_tor()
    {
        var clock = Stopwatch.StartNew();
        await cluster.StartAsync([1, 2], new JsonObject(), withTor: false);
        var meshed = await UntilAsync(() =>
            BirdRoutes(cluster.NodeNs(1), "-6").SequenceEqual([PodCidrs(2)[0]]) && BirdRoutes(cluster.NodeNs(1), "-4").SequenceEqual([PodCidrs(2)[1]])
            && BirdRoutes(cluster.NodeNs(2), "-6").SequenceEqual([PodCidrs(1)[0]]) && BirdRoutes(cluster.NodeNs(2), "-4").SequenceEqual([PodCidrs(1)[1]]),
            TimeSpan.FromSeconds(60));
        Report("bgp_mesh_converged_seconds", clock.Elapsed);
        output.WriteLine($"mesh routes in place {meshed.TotalSeconds:0.00} s after the agents were ready");

        var (p1, p2) = (cluster.AddPod(1), cluster.AddPod(2));
        foreach (var family in new[] { AddressFamily.InterNetworkV6, AddressFamily.InterNetwork })
        {
            Assert.True(Pings(p1.Netns, Address(p2, family)), $"mesh {family}\n{Diagnostics()}");
            Assert.True(Pings(p2.Netns, Address(p1, family)), $"mesh {family}\n{Diagnostics()}");
        }

        var sessions = Sessions(cluster.BirdSocket(1));
        Assert.Equal(2, sessions.Count);
        Assert.All(sessions, s => Assert.Equal("Established", s.Value));
        Assert.All(sessions.Keys, name => Assert.StartsWith("mesh", name, StringComparison.Ordinal));
        Assert.Empty(BirdRoutes(cluster.Tor, "-6"));
    }

    /// <summary>The ToR's kernel routes learned over BGP (its bait routes are static and never exported to its kernel).</summary>
    private string[] BgpTorLearned(string family) => BirdRoutes(cluster.Tor, family);

    private async Task ConvergedAsync(TimeSpan timeout)
    {
        await UntilAsync(() => BgpTorLearned("-6").SequenceEqual(TorRoutes6) && BgpTorLearned("-4").SequenceEqual(TorRoutes4)
                               && Enumerable.Range(1, NodeCount).All(n => BirdRoutes(cluster.NodeNs(n), "-6").Length == 2
                                                                          && BirdRoutes(cluster.NodeNs(n), "-4").Length == 2),
                         timeout);
    }

    /// <summary>Polls every 50 ms; the time it took, or a timeout with what the BIRDs say.</summary>
    private async Task<TimeSpan> UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"not within {timeout}\n{Diagnostics()}");
            }

            await Task.Delay(50);
        }

        return clock.Elapsed;
    }

    private string Diagnostics()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("ToR sessions: " + string.Join(", ", Sessions(cluster.TorSocket).Select(s => $"{s.Key}={s.Value}")));
        text.AppendLine("ToR routes: " + string.Join(", ", BgpTorLearned("-6").Concat(BgpTorLearned("-4"))));
        for (var node = 1; node <= NodeCount; node++)
        {
            text.AppendLine($"n{node} sessions: " + string.Join(", ", Sessions(cluster.BirdSocket(node)).Select(s => $"{s.Key}={s.Value}")));
            text.AppendLine($"n{node} routes: " + string.Join(", ", BirdRoutes(cluster.NodeNs(node), "-6").Concat(BirdRoutes(cluster.NodeNs(node), "-4"))));
        }

        return text.ToString();
    }

    private void Report(string name, TimeSpan value)
    {
        output.WriteLine($"{name} {value.TotalSeconds:0.000}");
        Measurements.Record(name, value.TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture));
    }

    private static IPAddress Address(TestPod pod, AddressFamily family) => family == AddressFamily.InterNetworkV6 ? pod.IPv6 : pod.IPv4;

    private static bool Pings(string netns, IPAddress target)
    {
        var (exit, text, _) = Shell.TryRun(TimeSpan.FromSeconds(30), "ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "2", target.ToString());
        return exit == 0 && text.Contains("1 received", StringComparison.Ordinal);
    }

    /// <summary>Pings every 100 ms; returns (sent, lost).</summary>
    private static (int Sent, int Lost) PingLoss(string netns, IPAddress target, int count)
    {
        var (_, text, _) = Shell.TryRun(TimeSpan.FromSeconds(count / 10 + 30), "ip", "netns", "exec", netns, "ping", "-c", count.ToString(), "-i", "0.1", "-W", "1", target.ToString());
        var summary = text.Split('\n').FirstOrDefault(l => l.Contains("packets transmitted", StringComparison.Ordinal))
                      ?? throw new InvalidOperationException($"ping printed no summary: {text}");
        var parts = summary.Split(',', StringSplitOptions.TrimEntries);
        var sent = int.Parse(parts[0].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var received = int.Parse(parts[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return (sent, sent - received);
    }
}
