using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using CniV6.Agent.Tests.Infrastructure;
using CniV6.Core.Ipam;
using Xunit.Abstractions;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// The published agent reclaiming addresses without a runtime's GC, on a throwaway node namespace with pods added and
/// deleted through libcni (the e2e driver) using the conflist and plugin the agent installed. A pod whose namespace
/// vanishes without DEL (a runtime crash) loses its addresses within one resync after the grace period; a fresh one
/// keeps them; and ADD/DEL churn with reclaim running all the while leaves no duplicate and no live pod unallocated.
/// </summary>
public sealed class IpamReclaimEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const int HealthPort = 9646;

    private readonly string _id = Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant();
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6d-reclaim-e2e-").FullName;
    private readonly ConcurrentBag<string> _pods = [];
    private AgentProcess? _agent;

    private string Node => $"cv6d-{_id}-node";

    private string Pod(string name) => $"cv6d-{_id}-{name}";

    private string DataDir => Path.Combine(_dir, "ipam");

    [Fact]
    public async Task A_pod_whose_namespace_was_removed_without_DEL_is_reclaimed_within_one_resync()
    {
        await StartAsync(resyncSeconds: 2, graceSeconds: 3);
        var crashed = AddPod("crashed");
        var live = AddPod("live");

        // The runtime crashed: the namespace goes (its veth with it), DEL never comes.
        DeleteNamespace(crashed);
        var clock = Stopwatch.StartNew();
        while (Allocated().ContainsKey(crashed) && clock.Elapsed < TimeSpan.FromSeconds(3 + (2 * 2) + 5))
        {
            await Task.Delay(100);
        }

        output.WriteLine($"reclaimed {clock.ElapsedMilliseconds} ms after the namespace went (grace 3 s, resync 2 s)");
        Assert.False(Allocated().ContainsKey(crashed), $"not reclaimed within grace + two resyncs:\n{_agent!.Log}");
        Assert.True(Allocated().ContainsKey(live));
        // The console logger writes from its own queue: give the line a moment to arrive.
        var logged = Stopwatch.StartNew();
        while (!_agent!.Log.Contains($"Reclaimed", StringComparison.Ordinal) && logged.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50);
        }

        Assert.Contains($"Reclaimed", _agent!.Log, StringComparison.Ordinal);
        var line = _agent.Log.Split('\n').First(l => l.Contains("Reclaimed", StringComparison.Ordinal));
        output.WriteLine(line);
        Assert.Contains($"of {crashed}/eth0 (", line, StringComparison.Ordinal);
        Assert.Contains(") in network cniv6: its namespace /var/run/netns/" + crashed, line, StringComparison.Ordinal);
        Assert.Contains("cniv6_agent_ipam_reclaimed_total 1\n", await MetricsAsync(), StringComparison.Ordinal);
        Assert.Equal(0, Driver(live, "check").ExitCode);
    }

    [Fact]
    public async Task A_fresh_allocation_inside_the_grace_period_is_untouched()
    {
        await StartAsync(resyncSeconds: 1, graceSeconds: 60);
        var crashed = AddPod("young");
        DeleteNamespace(crashed);

        // Several full resyncs run meanwhile, each one finding the namespace and veth gone.
        await Task.Delay(TimeSpan.FromSeconds(4));

        Assert.True(Allocated().ContainsKey(crashed), _agent!.Log);
        Assert.Contains("cniv6_agent_ipam_reclaimed_total 0\n", await MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pod_churn_with_reclaim_running_leaves_no_duplicate_address_and_no_live_pod_unallocated()
    {
        // Grace 0 and a resync every second: the reclaim pass runs as often and as eagerly as it can, racing every
        // ADD and DEL; a third of the pods vanish without DEL and must be reclaimed while the others come and go.
        await StartAsync(resyncSeconds: 1, graceSeconds: 0);
        var failures = new ConcurrentQueue<string>();
        var live = new ConcurrentDictionary<string, IPAddress[]>();
        var cycles = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var workers = Enumerable.Range(0, 3).Select(worker => Task.Run(() =>
        {
            // One long-lived pod per worker: it must hold its addresses from start to end.
            var keeper = AddPod($"k{worker}");
            live[keeper] = Addresses(keeper);
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                var pod = Pod($"w{worker}r{round}");
                Shell.Run("ip", "netns", "add", pod);
                _pods.Add(pod);
                var (code, result, error) = Driver(pod, "add");
                if (code != 0)
                {
                    failures.Enqueue($"ADD {pod} exited {code}: {error.Trim()} {result.Trim()}");
                    continue;
                }

                live[pod] = ParseAddresses(result);
                Interlocked.Increment(ref cycles);
                if (round % 3 == 2)
                {
                    // A runtime crash: no DEL.
                    live.TryRemove(pod, out _);
                    DeleteNamespace(pod);
                    continue;
                }

                var check = Driver(pod, "check");
                if (check.ExitCode != 0)
                {
                    failures.Enqueue($"CHECK {pod} exited {check.ExitCode}: {check.Error.Trim()} {check.Output.Trim()}");
                }

                live.TryRemove(pod, out _);
                var del = Driver(pod, "del");
                if (del.ExitCode != 0)
                {
                    failures.Enqueue($"DEL {pod} exited {del.ExitCode}: {del.Error.Trim()} {del.Output.Trim()}");
                }

                DeleteNamespace(pod);
            }
        })).ToArray();
        await Task.WhenAll(workers);

        // Let one more pass reclaim what the last crashes left.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var allocated = Allocated();
        var metrics = await MetricsAsync();
        output.WriteLine($"{cycles} ADDs in 20 s; {allocated.Count} allocations left; reclaimed: {metrics.Split('\n').First(l => l.StartsWith("cniv6_agent_ipam_reclaimed_total ", StringComparison.Ordinal))}");

        Assert.Empty(failures);
        Assert.InRange(cycles, 10, int.MaxValue);
        Assert.Equal(live.Keys.Order(StringComparer.Ordinal), allocated.Keys.Order(StringComparer.Ordinal));
        foreach (var (pod, addresses) in live)
        {
            Assert.Equal(addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal), allocated[pod].Select(a => a.ToString()).Order(StringComparer.Ordinal));
        }

        var all = allocated.Values.SelectMany(a => a).ToArray();
        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.DoesNotContain("cniv6_agent_ipam_reclaimed_total 0\n", metrics, StringComparison.Ordinal);
    }

    private async Task StartAsync(int resyncSeconds, int graceSeconds)
    {
        RequiredFiles.EnsureRoot();
        _ = (RequiredFiles.Agent, RequiredFiles.Plugin, RequiredFiles.Driver);
        Shell.Run("ip", "netns", "add", Node);
        Ip("link", "set", "lo", "up");
        Ip("link", "add", "uplink", "type", "veth", "peer", "name", "peer");
        Ip("addr", "add", "fd00:5d::1/64", "dev", "uplink", "nodad");
        Ip("addr", "add", "10.97.0.1/24", "dev", "uplink");
        Ip("link", "set", "uplink", "up");
        Ip("link", "set", "peer", "up");
        var config = Path.Combine(_dir, "agent.json");
        File.WriteAllText(config, $$"""
            {
              "NodeName": "edge-1",
              "Source": "static",
              "ResyncSeconds": {{resyncSeconds}},
              "Cni": { "ConfDir": "{{_dir}}/net.d", "BinDir": "{{_dir}}/bin", "IpamDataDir": "{{DataDir}}", "Portmap": false, "IpMasq": false,
                       "IpamReclaimGraceSeconds": {{graceSeconds}} },
              "Health": { "Port": {{HealthPort}} },
              "Static": { "Pools": ["fd00:10:244:1::/64", "10.244.1.0/24"] }
            }
            """);
        _agent = AgentProcess.Start(Node, ["--config", config, "--plugin-source", RequiredFiles.Plugin]);
        using var http = InNamespace.HttpClient(Node);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !_agent.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HealthPort}/readyz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        Assert.Fail($"agent not ready:\n{_agent.Log}");
    }

    private async Task<string> MetricsAsync()
    {
        using var http = InNamespace.HttpClient(Node);
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{HealthPort}/metrics"));
    }

    private string AddPod(string name)
    {
        var pod = Pod(name);
        Shell.Run("ip", "netns", "add", pod);
        _pods.Add(pod);
        var (code, result, error) = Driver(pod, "add");
        Assert.True(code == 0, $"ADD {pod} exited {code}: {error} {result}");
        return pod;
    }

    private IPAddress[] Addresses(string pod) => Allocated()[pod];

    private static IPAddress[] ParseAddresses(string addResult)
    {
        using var json = JsonDocument.Parse(addResult);
        return [.. json.RootElement.GetProperty("ips").EnumerateArray().Select(ip => IPAddress.Parse(ip.GetProperty("address").GetString()!.Split('/')[0]))];
    }

    private static void DeleteNamespace(string pod) => Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", pod);

    /// <summary>The store's allocations (container id → addresses), read under its lock like the plugin does.</summary>
    private Dictionary<string, IPAddress[]> Allocated()
    {
        using var store = IpamStore.Open(DataDir, "cniv6", TimeSpan.FromSeconds(30));
        return store.List().ToDictionary(a => a.ContainerId, a => a.Addresses.ToArray());
    }

    private (int ExitCode, string Output, string Error) Driver(string pod, string op) =>
        Shell.TryRun(TimeSpan.FromSeconds(30), "ip", "netns", "exec", Node, RequiredFiles.Driver,
            "-conflist", Path.Combine(_dir, "net.d", "10-cniv6.conflist"),
            "-bin", $"{Path.Combine(_dir, "bin")}:/usr/lib/cni",
            "-netns", InNamespace.PathOf(pod),
            "-containerid", pod,
            "-cachedir", Path.Combine(_dir, "cni-cache"),
            "-op", op);

    private void Ip(params string[] args) => Shell.Run("ip", ["-n", Node, .. args]);

    public void Dispose()
    {
        _agent?.Dispose();
        foreach (var pod in _pods.Distinct())
        {
            DeleteNamespace(pod);
        }

        Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", Node);
        Directory.Delete(_dir, recursive: true);
    }
}
