using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using CniV6.Linux;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>
/// A kind-like cluster out of network namespaces, since CI has no Docker, kubelet or apiserver:
/// <code>
///   n1 n2 n3 (nodes, eth0 fd00:a11::1N/64 + 10.99.0.1N/24) ──┐
///   lan (bridge br0; fake apiserver on 10.99.0.2:6443) ──────┼── rtr (radvd; eth0 fd00:a11::fe, 10.99.0.254)
///                                                           │     └─ eth1 ── inet (fd00:1e7::2, 198.51.100.2)
/// </code>
/// Nodes learn their IPv6 default route from radvd's router advertisements (as on a real LAN) and have a static
/// IPv4 default route. The router knows nothing about pod CIDRs, so "internet" replies reach pods only through
/// the nodes' masquerade. Each node runs its own cniv6-agent against the fake apiserver; one pod per node is
/// created through the libcni driver with the conflist and plugin the agent installed.
/// Everything lives under the name prefix cv6a-XXXX- and a temp directory, and is removed on dispose.
/// </summary>
public sealed class MultiNodeCluster : IAsyncLifetime
{
    public const int NodeCount = 3;
    public const int HealthPort = 9646;

    private readonly string _id = Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant();
    private readonly AgentProcess?[] _agents = new AgentProcess?[NodeCount + 1];
    private Process? _radvd;

    public MultiNodeCluster() => Dir = Directory.CreateTempSubdirectory("cv6a-cluster-").FullName;

    public string Dir { get; }

    internal FakeKubeApiServer Api { get; private set; } = null!;

    internal TestPod[] Pods { get; } = new TestPod[NodeCount + 1];

    public string Lan => Ns("lan");

    public string Router => Ns("rtr");

    public string Internet => Ns("inet");

    public string Ns(string role) => $"cv6a-{_id}-{role}";

    public string NodeNs(int node) => Ns($"n{node}");

    internal AgentProcess Agent(int node) => _agents[node] ?? throw new InvalidOperationException($"agent n{node} is not running");

    public static IPAddress NodeIPv6(int node) => IPAddress.Parse($"fd00:a11::{10 + node}");

    public static IPAddress NodeIPv4(int node) => IPAddress.Parse($"10.99.0.{10 + node}");

    public static IPAddress InternetIPv6 { get; } = IPAddress.Parse("fd00:1e7::2");

    public static IPAddress InternetIPv4 { get; } = IPAddress.Parse("198.51.100.2");

    internal static FakeNode NodeObject(int node) => new(
        $"n{node}",
        [NodeIPv6(node).ToString(), NodeIPv4(node).ToString()],
        [$"fd00:10:244:{node}::/64", $"10.244.{node}.0/24"]);

    public async Task InitializeAsync()
    {
        RequiredFiles.EnsureRoot();
        _ = (RequiredFiles.Agent, RequiredFiles.Plugin, RequiredFiles.Driver);
        try
        {
            BuildTopology();
            StartRadvd();
            for (var node = 1; node <= NodeCount; node++)
            {
                await WaitForRouterAdvertisementAsync(node);
            }

            Api = FakeKubeApiServer.Start(IPAddress.Parse("10.99.0.2"), 6443, start => NetNamespace.Run(InNamespace.PathOf(Lan), start));
            Api.WriteKubeconfig(Path.Combine(Dir, "kubeconfig"));
            File.WriteAllText(Path.Combine(Dir, "agent.json"), "{}");
            for (var node = 1; node <= NodeCount; node++)
            {
                Api.Upsert(NodeObject(node));
            }

            for (var node = 1; node <= NodeCount; node++)
            {
                StartAgent(node);
            }

            for (var node = 1; node <= NodeCount; node++)
            {
                await WaitUntilReadyAsync(node);
                Pods[node] = CreatePod(node);
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts (or restarts) node <paramref name="node"/>'s agent.</summary>
    internal AgentProcess StartAgent(int node)
    {
        var dir = NodeDir(node);
        _agents[node] = AgentProcess.Start(NodeNs(node),
        [
            "--config", Path.Combine(Dir, "agent.json"),
            "--node-name", $"n{node}",
            "--kubeconfig", Path.Combine(Dir, "kubeconfig"),
            "--cni-conf-dir", Path.Combine(dir, "net.d"),
            "--cni-bin-dir", Path.Combine(dir, "bin"),
            "--plugin-source", RequiredFiles.Plugin,
            "--ipam-data-dir", Path.Combine(dir, "ipam"),
            "--health-port", HealthPort.ToString(),
            "--resync-seconds", "10",
        ]);
        return _agents[node]!;
    }

    internal async Task WaitUntilReadyAsync(int node)
    {
        var agent = Agent(node);
        if (await agent.WaitUntilReadyAsync(NodeNs(node), new Uri($"http://127.0.0.1:{HealthPort}/readyz"), TimeSpan.FromSeconds(30)))
        {
            return;
        }

        if (agent.HasExited)
        {
            throw new InvalidOperationException($"agent n{node} exited with {agent.ExitCode}:\n{agent.Log}");
        }

        throw new TimeoutException($"agent n{node} not ready after 30 s:\n{agent.Log}");
    }

    internal async Task<string> MetricsAsync(int node)
    {
        using var http = InNamespace.HttpClient(NodeNs(node));
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{HealthPort}/metrics"));
    }

    internal string NodeDir(int node) => Path.Combine(Dir, $"n{node}");

    internal string ConflistPath(int node) => Path.Combine(NodeDir(node), "net.d", "10-cniv6.conflist");

    private TestPod CreatePod(int node) => LibcniPods.Add(NodeNs(node), NodeDir(node), Ns($"n{node}p"), node);

    private void BuildTopology()
    {
        string[] members = [Router, .. Enumerable.Range(1, NodeCount).Select(NodeNs)];
        foreach (var netns in new[] { Lan, Internet }.Concat(members))
        {
            Shell.Run("ip", "netns", "add", netns);
            Shell.Run("ip", "-n", netns, "link", "set", "lo", "up");
            // Addresses usable at once: duplicate address detection only adds seconds to every step here.
            Sysctl(netns, "net.ipv6.conf.all.accept_dad", "0");
            Sysctl(netns, "net.ipv6.conf.default.accept_dad", "0");
        }

        Shell.Run("ip", "-n", Lan, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
        Shell.Run("ip", "-n", Lan, "addr", "add", "10.99.0.2/24", "dev", "br0");
        Shell.Run("ip", "-n", Lan, "addr", "add", "fd00:a11::2/64", "dev", "br0", "nodad");
        Shell.Run("ip", "-n", Lan, "link", "set", "br0", "up");
        for (var i = 0; i < members.Length; i++)
        {
            var port = $"p{i}";
            Shell.Run("ip", "-n", Lan, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", members[i]);
            Shell.Run("ip", "-n", Lan, "link", "set", port, "master", "br0", "up");
            Shell.Run("ip", "-n", members[i], "link", "set", "eth0", "up");
        }

        for (var node = 1; node <= NodeCount; node++)
        {
            var netns = NodeNs(node);
            Shell.Run("ip", "-n", netns, "addr", "add", $"{NodeIPv6(node)}/64", "dev", "eth0", "nodad");
            Shell.Run("ip", "-n", netns, "addr", "add", $"{NodeIPv4(node)}/24", "dev", "eth0");
            Shell.Run("ip", "-n", netns, "route", "add", "default", "via", "10.99.0.254");
            // A host that takes its IPv6 default route from router advertisements, as the hosts do.
            Sysctl(netns, "net.ipv6.conf.eth0.accept_ra", "1");
            Sysctl(netns, "net.ipv6.conf.all.forwarding", "0");
        }

        Shell.Run("ip", "-n", Router, "addr", "add", "fd00:a11::fe/64", "dev", "eth0", "nodad");
        Shell.Run("ip", "-n", Router, "addr", "add", "10.99.0.254/24", "dev", "eth0");
        Shell.Run("ip", "-n", Router, "link", "add", "eth1", "type", "veth", "peer", "name", "eth0", "netns", Internet);
        Shell.Run("ip", "-n", Router, "addr", "add", "fd00:1e7::1/64", "dev", "eth1", "nodad");
        Shell.Run("ip", "-n", Router, "addr", "add", "198.51.100.1/24", "dev", "eth1");
        Shell.Run("ip", "-n", Router, "link", "set", "eth1", "up");
        Sysctl(Router, "net.ipv6.conf.all.forwarding", "1");
        Sysctl(Router, "net.ipv4.ip_forward", "1");
        Shell.Run("ip", "-n", Internet, "addr", "add", $"{InternetIPv6}/64", "dev", "eth0", "nodad");
        Shell.Run("ip", "-n", Internet, "addr", "add", $"{InternetIPv4}/24", "dev", "eth0");
        Shell.Run("ip", "-n", Internet, "link", "set", "eth0", "up");
        Shell.Run("ip", "-n", Internet, "route", "add", "default", "via", "198.51.100.1");
        Shell.Run("ip", "-n", Internet, "-6", "route", "add", "default", "via", "fd00:1e7::1");
    }

    private void StartRadvd()
    {
        var config = Path.Combine(Dir, "radvd.conf");
        File.WriteAllText(config, """
            interface eth0 {
                AdvSendAdvert on;
                MinRtrAdvInterval 3;
                MaxRtrAdvInterval 4;
                AdvDefaultLifetime 600;
                prefix fd00:a11::/64 {
                    AdvOnLink on;
                    AdvAutonomous off;
                };
            };
            """);
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "netns", "exec", Router, "radvd", "--nodaemon", "--config", config, "--pidfile", Path.Combine(Dir, "radvd.pid"), "--logmethod", "stderr" })
        {
            start.ArgumentList.Add(arg);
        }

        _radvd = Process.Start(start);
        _radvd!.BeginOutputReadLine();
        _radvd.BeginErrorReadLine();
    }

    private async Task WaitForRouterAdvertisementAsync(int node)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (Ipv6DefaultRoute(node).Contains("proto ra", StringComparison.Ordinal))
            {
                return;
            }

            if (_radvd is { HasExited: true })
            {
                throw new InvalidOperationException($"radvd exited with {_radvd.ExitCode}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"n{node} got no IPv6 default route from radvd's router advertisements");
    }

    internal string Ipv6DefaultRoute(int node) => Shell.Run("ip", "-n", NodeNs(node), "-6", "route", "show", "default");

    internal static string Sysctl(string netns, string key) => Shell.InNamespace(netns, "sysctl", "-n", key).Trim();

    private static void Sysctl(string netns, string key, string value) => Shell.InNamespace(netns, "sysctl", "-q", "-w", $"{key}={value}");

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            agent?.Dispose();
        }

        if (_radvd is { HasExited: false })
        {
            _radvd.Kill();
            await _radvd.WaitForExitAsync();
        }

        _radvd?.Dispose();
        Api?.Dispose();

        // Pods first (their veths go with them), then every other namespace this cluster made.
        var ours = Shell.Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries)
                        .Select(line => line.Split(' ')[0])
                        .Where(name => name.StartsWith($"cv6a-{_id}-", StringComparison.Ordinal))
                        .OrderByDescending(name => name.EndsWith('p'))
                        .ToArray();
        foreach (var netns in ours)
        {
            Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", netns);
        }

        Directory.Delete(Dir, recursive: true);
    }
}
