using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using CniV6.Agent.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// The reliability issue's agent faults on the shared three-node cluster: an apiserver that answers 500 or drops
/// every connection, an agent restarted while the apiserver is unreachable, and an agent SIGKILLed during pod churn.
/// Pods must keep their network, the agent must keep its last known good conflist and routes, and it must recover
/// once the apiserver is back. Every test leaves the cluster as it found it (apiserver healthy, agents running,
/// n4 absent).
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class AgentFaultTests(MultiNodeCluster cluster, ITestOutputHelper output)
{
    /// <summary>The agent's watch back-off tops out at 30 s (with jitter below 1), plus time to sync.</summary>
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(35);

    [Theory]
    [InlineData(ApiFault.InternalError)]
    [InlineData(ApiFault.Disconnect)]
    public async Task An_apiserver_outage_leaves_pods_routes_and_conflists_alone_and_changes_flow_again_after_it(ApiFault fault)
    {
        var before = Dataplanes();
        var faultedBefore = cluster.Api.FaultedRequests;
        var ping6 = Task.Run(() => PingLoss(cluster.Pods[1].Netns, cluster.Pods[2].IPv6, count: 80));
        var ping4 = Task.Run(() => PingLoss(cluster.Pods[3].Netns, cluster.Pods[1].IPv4, count: 80));
        try
        {
            cluster.Api.InjectFault(fault);
            await Task.Delay(TimeSpan.FromSeconds(7));

            // Every agent came back to the broken apiserver (its watch was dropped) and met the fault.
            Assert.True(cluster.Api.FaultedRequests - faultedBefore >= MultiNodeCluster.NodeCount,
                        $"only {cluster.Api.FaultedRequests - faultedBefore} requests met the fault");
            Assert.Equal(before, Dataplanes());
            for (var node = 1; node <= MultiNodeCluster.NodeCount; node++)
            {
                // Synced once, the agent stays ready on its last known good state rather than flapping with the apiserver.
                Assert.Equal(HttpStatusCode.OK, await ReadyzAsync(node));
            }
        }
        finally
        {
            cluster.Api.InjectFault(ApiFault.None);
        }

        try
        {
            Assert.Equal((80, 0), await ping6);
            Assert.Equal((80, 0), await ping4);
            Assert.Equal(before, Dataplanes());

            var clock = Stopwatch.StartNew();
            cluster.Api.Upsert(MultiNodeCluster.NodeObject(4));
            await WaitForNode4RoutesAsync(present: true, Enumerable.Range(1, MultiNodeCluster.NodeCount));
            output.WriteLine($"{fault}: node ADDED after the apiserver healed → routes on all nodes: {clock.ElapsedMilliseconds} ms");
            Measurements.Record($"api_{fault}_healed_node_add_to_routes_ms", clock.ElapsedMilliseconds.ToString());
            cluster.Api.Delete("n4");
            await WaitForNode4RoutesAsync(present: false, Enumerable.Range(1, MultiNodeCluster.NodeCount));
        }
        finally
        {
            cluster.Api.Delete("n4");
        }
    }

    [Theory]
    [InlineData(ApiFault.InternalError)]
    [InlineData(ApiFault.Disconnect)]
    public Task An_agent_restarted_while_the_apiserver_is_unreachable_keeps_the_dataplane_and_gets_ready_when_it_returns(ApiFault fault) =>
        RestartWhileTheApiserverIsAwayAsync(fault.ToString(), () => cluster.Api.InjectFault(fault), () => cluster.Api.InjectFault(ApiFault.None));

    /// <summary>
    /// A network partition: packets to the apiserver vanish (no reset, no answer), so the restarted agent's list
    /// hangs in connect instead of failing fast, and the other agents' open watches go silent.
    /// </summary>
    [Fact]
    public Task An_agent_restarted_during_a_network_partition_from_the_apiserver_keeps_the_dataplane_and_gets_ready_after_it() =>
        RestartWhileTheApiserverIsAwayAsync(
            "Partition",
            () => Shell.InNamespace(cluster.Lan, "iptables", "-w", "-I", "INPUT", "-p", "tcp", "--dport", "6443", "-j", "DROP"),
            () => Shell.TryRun(TimeSpan.FromSeconds(30), "ip", "netns", "exec", cluster.Lan, "iptables", "-w", "-D", "INPUT", "-p", "tcp", "--dport", "6443", "-j", "DROP"));

    private async Task RestartWhileTheApiserverIsAwayAsync(string fault, Action breakApiserver, Action healApiserver)
    {
        const int node = 2;
        var before = Dataplane(node);
        var ping6 = Task.Run(() => PingLoss(cluster.Pods[1].Netns, cluster.Pods[node].IPv6, count: 80));
        var ping4 = Task.Run(() => PingLoss(cluster.Pods[node].Netns, cluster.Pods[3].IPv4, count: 80));
        try
        {
            breakApiserver();
            cluster.Agent(node).Kill();
            cluster.Agent(node).Dispose();
            var agent = cluster.StartAgent(node);

            var notReadyAnswers = 0;
            var outage = Stopwatch.StartNew();
            while (outage.Elapsed < TimeSpan.FromSeconds(6))
            {
                var status = await ReadyzAsync(node);
                Assert.NotEqual(HttpStatusCode.OK, status);
                notReadyAnswers += status == HttpStatusCode.ServiceUnavailable ? 1 : 0;
                Assert.Equal(before, Dataplane(node));
                Assert.False(agent.HasExited, $"agent exited with the apiserver away:\n{agent.Log}");
                await Task.Delay(250);
            }

            Assert.True(notReadyAnswers > 0, "the restarted agent never answered /readyz");
        }
        finally
        {
            healApiserver();
        }

        try
        {
            var clock = Stopwatch.StartNew();
            await cluster.WaitUntilReadyAsync(node);
            output.WriteLine($"{fault}: apiserver back → restarted agent ready: {clock.ElapsedMilliseconds} ms");
            Measurements.Record($"api_{fault}_restart_ready_after_heal_ms", clock.ElapsedMilliseconds.ToString());
            Assert.Equal((80, 0), await ping6);
            Assert.Equal((80, 0), await ping4);

            // It found its own routes and conflist in place and changed nothing …
            var metrics = await cluster.MetricsAsync(node);
            Assert.Contains("cniv6_agent_routes_deleted_total 0", metrics, StringComparison.Ordinal);
            Assert.Contains("cniv6_agent_routes_replaced_total 0", metrics, StringComparison.Ordinal);
            Assert.Equal(before, Dataplane(node));

            // … and follows the cluster again.
            cluster.Api.Upsert(MultiNodeCluster.NodeObject(4));
            await WaitForNode4RoutesAsync(present: true, [node]);
            cluster.Api.Delete("n4");
            await WaitForNode4RoutesAsync(present: false, [node]);
        }
        finally
        {
            cluster.Api.Delete("n4");
        }
    }

    [Fact]
    public async Task Pod_churn_has_no_cni_errors_and_every_pod_connects_while_the_nodes_agent_is_sigkilled_and_restarted()
    {
        const int node = 3;
        const int slots = 3;
        var failures = new ConcurrentQueue<string>();
        var adds = 0;
        var agentDown = false;
        var addsWhileDown = 0;
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                for (var slot = 0; slot < slots; slot++)
                {
                    var netns = cluster.Ns($"n{node}c{slot}p");
                    Shell.Run("ip", "netns", "add", netns);
                    try
                    {
                        var (code, result, error) = Driver(node, netns, "add");
                        if (code != 0)
                        {
                            failures.Enqueue($"ADD {netns} exited {code}: {error.Trim()} {result.Trim()}");
                            continue;
                        }

                        Interlocked.Increment(ref adds);
                        if (Volatile.Read(ref agentDown))
                        {
                            Interlocked.Increment(ref addsWhileDown);
                        }

                        foreach (var target in new[] { cluster.Pods[1].IPv6, cluster.Pods[1].IPv4 })
                        {
                            var ping = Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "3", target.ToString());
                            if (ping.ExitCode != 0)
                            {
                                failures.Enqueue($"{netns} ({PodAddresses(result)}) cannot reach {target}: {ping.Output.Trim()}");
                            }
                        }
                    }
                    finally
                    {
                        var (code, result, error) = Driver(node, netns, "del");
                        if (code != 0)
                        {
                            failures.Enqueue($"DEL {netns} exited {code}: {error.Trim()} {result.Trim()}");
                        }

                        Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", netns);
                    }
                }
            }
        });

        var clock = Stopwatch.StartNew();
        try
        {
            await Task.Delay(1500);
            Volatile.Write(ref agentDown, true);
            cluster.Agent(node).Kill();
            await Task.Delay(2500);
            cluster.Agent(node).Dispose();
            cluster.StartAgent(node);
            await cluster.WaitUntilReadyAsync(node);
            Volatile.Write(ref agentDown, false);
            await Task.Delay(2000);
        }
        finally
        {
            await stop.CancelAsync();
            await churn;
            if (cluster.Agent(node).HasExited)
            {
                cluster.Agent(node).Dispose();
                cluster.StartAgent(node);
                await cluster.WaitUntilReadyAsync(node);
            }
        }

        output.WriteLine($"{adds} ADD/DEL cycles in {clock.ElapsedMilliseconds} ms, {addsWhileDown} while the agent was down or starting");
        Measurements.Record("churn_during_agent_sigkill", $"{adds} add/del cycles, {addsWhileDown} with the agent down, {failures.Count} failures");
        Assert.Empty(failures);
        Assert.InRange(addsWhileDown, 1, int.MaxValue);
        Shell.InNamespace(cluster.Pods[node].Netns, "ping", "-c", "1", "-W", "3", cluster.Pods[1].IPv6.ToString());
        Shell.InNamespace(cluster.Pods[node].Netns, "ping", "-c", "1", "-W", "3", cluster.Pods[1].IPv4.ToString());
    }

    private (int ExitCode, string Output, string Error) Driver(int node, string netns, string op)
    {
        var dir = cluster.NodeDir(node);
        return Shell.TryRun(TimeSpan.FromSeconds(30), "ip", "netns", "exec", cluster.NodeNs(node), RequiredFiles.Driver,
            "-conflist", cluster.ConflistPath(node),
            "-bin", $"{Path.Combine(dir, "bin")}:/usr/lib/cni",
            "-netns", InNamespace.PathOf(netns),
            "-containerid", netns,
            "-cachedir", Path.Combine(dir, "cni-cache"),
            "-op", op);
    }

    private static string PodAddresses(string addResult)
    {
        using var json = JsonDocument.Parse(addResult);
        return string.Join(", ", json.RootElement.GetProperty("ips").EnumerateArray().Select(ip => ip.GetProperty("address").GetString()));
    }

    /// <summary>What the agent owns on a node: its routes (protocol 198, both families) and the conflist with its mtime.</summary>
    private string Dataplane(int node)
    {
        var netns = cluster.NodeNs(node);
        var conflist = new FileInfo(cluster.ConflistPath(node));
        return $"""
            n{node} routes:
            {Shell.Run("ip", "-n", netns, "-4", "route", "show", "proto", "198")}{Shell.Run("ip", "-n", netns, "-6", "route", "show", "proto", "198")}
            conflist written {conflist.LastWriteTimeUtc:O}:
            {File.ReadAllText(conflist.FullName)}
            """;
    }

    private string Dataplanes() => string.Concat(Enumerable.Range(1, MultiNodeCluster.NodeCount).Select(Dataplane));

    /// <summary>The agent's /readyz status, or null while nothing listens on the health port.</summary>
    private async Task<HttpStatusCode?> ReadyzAsync(int node)
    {
        using var http = InNamespace.HttpClient(cluster.NodeNs(node));
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{MultiNodeCluster.HealthPort}/readyz"));
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private async Task WaitForNode4RoutesAsync(bool present, IEnumerable<int> nodes)
    {
        var clock = Stopwatch.StartNew();
        var pending = nodes.ToHashSet();
        while (clock.Elapsed < RecoveryBound)
        {
            pending.RemoveWhere(node => HasNode4Routes(node) == present);
            if (pending.Count == 0)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"n4's routes still {(present ? "missing" : "present")} on n{string.Join(", n", pending)} after {RecoveryBound}:\n{cluster.Agent(pending.First()).Log}");
    }

    private bool HasNode4Routes(int node)
    {
        var netns = cluster.NodeNs(node);
        return Shell.Run("ip", "-n", netns, "-6", "route", "show", "proto", "198", "fd00:10:244:4::/64").Contains($"via {MultiNodeCluster.NodeIPv6(4)}", StringComparison.Ordinal)
               && Shell.Run("ip", "-n", netns, "-4", "route", "show", "proto", "198", "10.244.4.0/24").Contains($"via {MultiNodeCluster.NodeIPv4(4)}", StringComparison.Ordinal);
    }

    /// <summary>Pings every 100 ms; returns (sent, lost).</summary>
    private static (int Sent, int Lost) PingLoss(string netns, IPAddress target, int count)
    {
        var (_, text, _) = Shell.TryRun(TimeSpan.FromSeconds(60), "ip", "netns", "exec", netns, "ping", "-i", "0.1", "-W", "1", "-c", count.ToString(), target.ToString());
        var summary = text.Split('\n').First(l => l.Contains("packets transmitted", StringComparison.Ordinal));
        var numbers = summary.Split(',').Take(2).Select(part => int.Parse(part.Trim().Split(' ')[0])).ToArray();
        return (numbers[0], numbers[0] - numbers[1]);
    }
}
