using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CniV6.Agent.Tests.Infrastructure;
using CniV6.Linux;
using CniV6.Netlink;
using Xunit.Abstractions;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// The DaemonSet's memory limit against the agent's peak with 5000 Nodes from the API server (the fake apiserver,
/// listed in pages of 500 and then watched), all on the node's segment: 10 000 routes. The peak resident set
/// (VmHWM) is recorded in agent-measurements.txt and must leave the limit (256 Mi) headroom.
/// </summary>
public sealed class ApiScaleMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int Nodes = 5000;
    private const long BudgetKib = 200 * 1024;

    private readonly string _netns = $"cv6i-{Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant()}-scale";
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6i-scale-").FullName;
    private FakeKubeApiServer? _api;
    private AgentProcess? _agent;

    [Fact]
    public async Task Peak_memory_with_5000_nodes_from_the_api_server_stays_under_the_daemonset_limit()
    {
        RequiredFiles.EnsureRoot();
        Shell.Run("ip", "netns", "add", _netns);
        Shell.Run("ip", "-n", _netns, "link", "set", "lo", "up");
        Shell.Run("ip", "-n", _netns, "link", "add", "uplink", "type", "veth", "peer", "name", "peer");
        Shell.Run("ip", "-n", _netns, "addr", "add", "fd00:5f::1/64", "dev", "uplink", "nodad");
        Shell.Run("ip", "-n", _netns, "addr", "add", "10.95.0.1/16", "dev", "uplink");
        Shell.Run("ip", "-n", _netns, "link", "set", "uplink", "up");
        Shell.Run("ip", "-n", _netns, "link", "set", "peer", "up");
        _api = FakeKubeApiServer.Start(IPAddress.Loopback, 6443, start => NetNamespace.Run(InNamespace.PathOf(_netns), start));
        for (var i = 0; i < Nodes; i++)
        {
            _api.Upsert(Node(i));
        }

        var kubeconfig = _api.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"));
        var started = DateTime.UtcNow;
        _agent = AgentProcess.Start(_netns,
        [
            "--node-name", "n0",
            "--kubeconfig", kubeconfig,
            "--config", WriteEmptyConfig(),
            "--cni-conf-dir", Path.Combine(_dir, "net.d"),
            "--cni-bin-dir", Path.Combine(_dir, "bin"),
            "--plugin-source", RequiredFiles.Plugin,
            "--ipam-data-dir", Path.Combine(_dir, "ipam"),
            "--reference-plugin-dirs", "",
            "--health-port", "9646",
        ]);

        var routes = 0;
        while (DateTime.UtcNow - started < TimeSpan.FromMinutes(4) && !_agent.HasExited)
        {
            routes = InNamespace.Routes(_netns, AddressFamily.InterNetworkV6).Concat(InNamespace.Routes(_netns, AddressFamily.InterNetwork))
                                .Count(r => r.Protocol == RouteProtocol.CniV6);
            if (routes >= 2 * (Nodes - 1))
            {
                break;
            }

            await Task.Delay(500);
        }

        var synced = DateTime.UtcNow - started;
        await Task.Delay(2000);
        var (peak, resident) = Memory(_agent.Pid);
        output.WriteLine($"{Nodes} nodes: {routes} routes after {synced.TotalSeconds:0.0} s; peak RSS {peak / 1024} MiB, RSS now {resident / 1024} MiB");
        Measurements.Record("agent_api_5000_nodes_peak_rss_kib", $"{peak} (rss {resident}, {routes} routes, synced in {synced.TotalSeconds:0.0} s)");

        Assert.True(routes >= 2 * (Nodes - 1), $"only {routes} routes after {synced}:\n{Tail(_agent.Log)}");
        Assert.InRange(peak, 1, BudgetKib);
    }

    /// <summary>Node i: fd00:5f::/64 and 10.95.0.0/16 addresses on the shared segment, a /64 and a /24 pod CIDR.</summary>
    private static FakeNode Node(int i) => new(
        $"n{i}",
        [$"fd00:5f::{(i + 1).ToString("x", CultureInfo.InvariantCulture)}", $"10.95.{(i + 1) / 256}.{(i + 1) % 256}"],
        [$"fd00:10:244:{i.ToString("x", CultureInfo.InvariantCulture)}::/64", $"10.{128 + (i / 256)}.{i % 256}.0/24"]);

    private string WriteEmptyConfig()
    {
        var path = Path.Combine(_dir, "agent.json");
        File.WriteAllText(path, "{}");
        return path;
    }

    /// <summary>VmHWM (peak) and VmRSS of the process, in KiB.</summary>
    private static (long Peak, long Resident) Memory(int pid)
    {
        var lines = File.ReadAllLines($"/proc/{pid}/status");
        long Field(string name) => long.Parse(lines.First(l => l.StartsWith(name, StringComparison.Ordinal))[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return (Field("VmHWM:"), Field("VmRSS:"));
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(30));

    public void Dispose()
    {
        _agent?.Dispose();
        _api?.Dispose();
        Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", _netns);
        Directory.Delete(_dir, recursive: true);
    }
}
