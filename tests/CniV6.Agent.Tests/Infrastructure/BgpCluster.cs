using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CniV6.Linux;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>
/// Three nodes on two subnets joined by a top-of-rack router that runs Debian's BIRD (AS 65000) as every node's
/// eBGP peer and knows no pod route until it learns one:
/// <code>
///   n1 n2 (fd00:a11::1N/64, 10.99.0.1N/24) ── segment A ──┐
///                                                          tor (fd00:a11::fe, 10.99.0.254 | fd00:b22::fe, 10.98.0.254)
///   n3    (fd00:b22::13/64, 10.98.0.13/24) ── segment B ──┘
/// </code>
/// Nodes have no default route: a pod on another subnet is reachable only through what BGP taught the node. The
/// ToR also announces a default route, a prefix no node owns and one inside the cluster range, which no node may
/// take. Agents follow the fake apiserver on the ToR (n3 reaches it by a host route). Names start with cv6g-XXXX-;
/// everything, BIRD processes included, is removed on dispose.
/// </summary>
public sealed class BgpCluster : IAsyncLifetime
{
    public const int NodeCount = 3;
    public const int HealthPort = 9646;
    public const uint TorAs = 65000;
    public const uint NodeAs = 64512;

    private readonly string _id = Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant();
    private readonly AgentProcess?[] _agents = new AgentProcess?[NodeCount + 1];
    private readonly List<TestPod> _pods = [];
    private readonly StringBuilder _torLog = new();
    private Process? _tor;
    private int _podCounter;

    public BgpCluster() => Dir = Directory.CreateTempSubdirectory("cv6g-bgp-").FullName;

    public string Dir { get; }

    public string Tor => Ns("tor");

    internal FakeKubeApiServer? Api { get; private set; }

    public string TorSocket => Path.Combine(Dir, "tor.ctl");

    public string TorLog
    {
        get
        {
            lock (_torLog)
            {
                return _torLog.ToString();
            }
        }
    }

    public string Ns(string role) => $"cv6g-{_id}-{role}";

    public string NodeNs(int node) => Ns($"n{node}");

    internal string NodeDir(int node) => Path.Combine(Dir, $"n{node}");

    internal string BirdSocket(int node) => Path.Combine(NodeDir(node), "bgp", "bird.ctl");

    internal string BirdPidFile(int node) => Path.Combine(NodeDir(node), "bgp", "bird.pid");

    internal AgentProcess Agent(int node) => _agents[node] ?? throw new InvalidOperationException($"agent n{node} is not running");

    public static IPAddress NodeIPv6(int node) => IPAddress.Parse(node <= 2 ? $"fd00:a11::{10 + node}" : $"fd00:b22::{10 + node}");

    public static IPAddress NodeIPv4(int node) => IPAddress.Parse(node <= 2 ? $"10.99.0.{10 + node}" : $"10.98.0.{10 + node}");

    public static IPAddress TorIPv6(int node) => IPAddress.Parse(node <= 2 ? "fd00:a11::fe" : "fd00:b22::fe");

    public static IPAddress TorIPv4(int node) => IPAddress.Parse(node <= 2 ? "10.99.0.254" : "10.98.0.254");

    public static string[] PodCidrs(int node) => [$"fd00:10:244:{node}::/64", $"10.244.{node}.0/24"];

    internal static FakeNode NodeObject(int node) => new($"n{node}", [NodeIPv6(node).ToString(), NodeIPv4(node).ToString()], PodCidrs(node));

    public Task InitializeAsync()
    {
        RequiredFiles.EnsureRoot();
        _ = (RequiredFiles.Agent, RequiredFiles.Plugin, RequiredFiles.Driver, RequiredFiles.Bird, RequiredFiles.Birdc);
        try
        {
            BuildTopology();
            Api = FakeKubeApiServer.Start(IPAddress.Parse("10.99.0.254"), 6443, start => NetNamespace.Run(InNamespace.PathOf(Tor), start));
            Api.WriteKubeconfig(Path.Combine(Dir, "kubeconfig"));
        }
        catch
        {
            Teardown();
            throw;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Starts from a clean slate: pods, agents and every BIRD stopped (node BIRDs shut down cleanly, so their routes
    /// go too), the apiserver holding <paramref name="nodes"/>, then the ToR's BIRD (unless <paramref name="withTor"/>
    /// is false) and the agents of <paramref name="nodes"/> with <paramref name="bgp"/> as their <c>Bgp</c> section.
    /// </summary>
    internal async Task StartAsync(int[] nodes, JsonObject bgp, bool withTor = true)
    {
        DeletePods();
        StopAgents();
        StopNodeBirds();
        StopTor();
        foreach (var node in Enumerable.Range(1, NodeCount))
        {
            if (nodes.Contains(node))
            {
                Api!.Upsert(NodeObject(node));
            }
            else
            {
                Api!.Delete($"n{node}");
            }
        }

        if (withTor)
        {
            StartTor();
        }

        foreach (var node in nodes)
        {
            var section = (JsonObject)bgp.DeepClone();
            section["RunDirectory"] = Path.Combine(NodeDir(node), "bgp");
            var config = new JsonObject { ["Routing"] = new JsonObject { ["Mode"] = "bgp" }, ["Bgp"] = section };
            File.WriteAllText(ConfigPath(node), config.ToJsonString());
            StartAgent(node);
        }

        foreach (var node in nodes)
        {
            await WaitUntilReadyAsync(node);
        }
    }

    /// <summary>The Bgp section of a node that peers with the ToR on its own segment, both families, mesh off.</summary>
    internal static JsonObject TorPeering()
    {
        var peers = new JsonArray();
        foreach (var (node, nodes) in new[] { (1, "n1,n2"), (3, "n3") })
        {
            peers.Add(new JsonObject { ["Address"] = TorIPv6(node).ToString(), ["As"] = TorAs.ToString(), ["Nodes"] = nodes });
            peers.Add(new JsonObject { ["Address"] = TorIPv4(node).ToString(), ["As"] = TorAs.ToString(), ["Nodes"] = nodes });
        }

        return new JsonObject { ["Mesh"] = false, ["Peers"] = peers };
    }

    internal AgentProcess StartAgent(int node)
    {
        _agents[node]?.Dispose();
        var dir = NodeDir(node);
        _agents[node] = AgentProcess.Start(NodeNs(node),
        [
            "--config", ConfigPath(node),
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
        if (await agent.WaitUntilReadyAsync(NodeNs(node), new Uri($"http://127.0.0.1:{HealthPort}/readyz"), TimeSpan.FromSeconds(60)))
        {
            return;
        }

        throw new TimeoutException($"agent n{node} not ready after 60 s (exited: {agent.HasExited}):\n{agent.Log}");
    }

    internal async Task<string> MetricsAsync(int node)
    {
        using var http = InNamespace.HttpClient(NodeNs(node));
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{HealthPort}/metrics"));
    }

    /// <summary>Runs <c>cniv6-agent uninstall</c> in node <paramref name="node"/> with the flags its agent ran with.</summary>
    internal string Uninstall(int node)
    {
        var dir = NodeDir(node);
        return Shell.Run(TimeSpan.FromSeconds(60), "ip", "netns", "exec", NodeNs(node), RequiredFiles.Agent, "uninstall",
                         "--config", ConfigPath(node), "--node-name", $"n{node}", "--cni-conf-dir", Path.Combine(dir, "net.d"),
                         "--cni-bin-dir", Path.Combine(dir, "bin"), "--ipam-data-dir", Path.Combine(dir, "ipam"));
    }

    internal TestPod AddPod(int node)
    {
        var pod = LibcniPods.Add(NodeNs(node), NodeDir(node), Ns($"p{Interlocked.Increment(ref _podCounter)}"), node);
        _pods.Add(pod);
        return pod;
    }

    internal void DeletePods()
    {
        foreach (var pod in _pods)
        {
            LibcniPods.Delete(NodeNs(pod.Node), NodeDir(pod.Node), pod.Netns);
        }

        _pods.Clear();
    }

    /// <summary>Kills node <paramref name="node"/>'s agent (its BIRD keeps running, as after a crash of the agent).</summary>
    internal void StopAgent(int node)
    {
        _agents[node]?.Dispose();
        _agents[node] = null;
    }

    internal void StopAgents()
    {
        for (var node = 1; node <= NodeCount; node++)
        {
            _agents[node]?.Dispose();
            _agents[node] = null;
        }
    }

    /// <summary>The pid of node <paramref name="node"/>'s BIRD, from the pid file BIRD writes; null when none runs.</summary>
    internal int? BirdPid(int node)
    {
        if (!File.Exists(BirdPidFile(node)) || !int.TryParse(File.ReadAllText(BirdPidFile(node)).Trim(), out var pid))
        {
            return null;
        }

        return File.Exists($"/proc/{pid}/comm") && File.ReadAllText($"/proc/{pid}/comm").Trim() == "bird" ? pid : null;
    }

    /// <summary>SIGTERM to every node BIRD (a clean shutdown removes its kernel routes), SIGKILL after 10 s.</summary>
    internal void StopNodeBirds()
    {
        for (var node = 1; node <= NodeCount; node++)
        {
            if (BirdPid(node) is not { } pid)
            {
                continue;
            }

            using var bird = Process.GetProcessById(pid);
            Shell.TryRun(TimeSpan.FromSeconds(5), "kill", "-TERM", pid.ToString());
            if (!bird.WaitForExit(10_000))
            {
                bird.Kill();
            }
        }
    }

    /// <summary>The BGP protocols of a BIRD (by control socket) and their BGP state.</summary>
    internal static Dictionary<string, string> Sessions(string socket)
    {
        var (exit, text, _) = Shell.TryRun(TimeSpan.FromSeconds(10), RequiredFiles.Birdc, "-s", socket, "show", "protocols");
        var sessions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (exit != 0)
        {
            return sessions;
        }

        foreach (var line in text.Split('\n'))
        {
            var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length >= 4 && columns[1] == "BGP")
            {
                sessions[columns[0]] = columns.Skip(4).FirstOrDefault(c => c is "Established" or "Active" or "Connect" or "Idle" or "OpenSent" or "OpenConfirm") ?? columns[3];
            }
        }

        return sessions;
    }

    /// <summary>The destinations of the routes in <paramref name="netns"/>'s main table that BIRD installed (proto bird).</summary>
    internal static string[] BirdRoutes(string netns, string family) =>
        [.. Shell.Run("ip", "-n", netns, family, "route", "show", "proto", "bird").Split('\n', StringSplitOptions.RemoveEmptyEntries)
                 .Select(line => line.Split(' ')[0]).Distinct().Order(StringComparer.Ordinal)];

    private string ConfigPath(int node) => Path.Combine(Dir, $"agent-n{node}.json");

    private void StartTor()
    {
        var config = Path.Combine(Dir, "tor.conf");
        File.WriteAllText(config, TorConfig());
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", Tor, RequiredFiles.Bird, "-f", "-c", config, "-s", TorSocket, "-P", Path.Combine(Dir, "tor.pid") })
        {
            start.ArgumentList.Add(arg);
        }

        _tor = Process.Start(start) ?? throw new InvalidOperationException("could not start the ToR's BIRD");
        _tor.OutputDataReceived += (_, e) => AppendTorLog(e.Data);
        _tor.ErrorDataReceived += (_, e) => AppendTorLog(e.Data);
        _tor.BeginOutputReadLine();
        _tor.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Shell.TryRun(TimeSpan.FromSeconds(5), RequiredFiles.Birdc, "-s", TorSocket, "show", "status").ExitCode != 0)
        {
            if (_tor.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the ToR's BIRD did not start:\n{TorLog}");
            }

            Thread.Sleep(100);
        }
    }

    private void AppendTorLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_torLog)
        {
            _torLog.AppendLine(line);
        }
    }

    internal void StopTor()
    {
        if (_tor is { HasExited: false } tor)
        {
            tor.Kill();
            tor.WaitForExit(5000);
        }

        _tor?.Dispose();
        _tor = null;
        // Killed, the ToR's BIRD leaves its routes behind; the next ToR must learn everything again.
        foreach (var family in new[] { "-6", "-4" })
        {
            Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "-n", Tor, family, "route", "flush", "proto", "bird");
        }
    }

    /// <summary>
    /// A ToR as an operator would configure one: eBGP to each node of its segments, graceful restart (it keeps a
    /// restarting node's routes), every route learned from a node into its kernel table. Its extra static routes are
    /// bait: a default route, a prefix nobody owns and an unassigned one inside the cluster range.
    /// </summary>
    private static string TorConfig()
    {
        var text = new StringBuilder($$"""
            router id 10.99.0.254;
            log stderr all;
            protocol device { scan time 10; }
            protocol kernel { ipv6 { import none; export where source = RTS_BGP; }; merge paths on; graceful restart on; }
            protocol kernel { ipv4 { import none; export where source = RTS_BGP; }; merge paths on; graceful restart on; }
            protocol static bait6 { ipv6; route ::/0 blackhole; route fd00:dead::/64 blackhole; route fd00:10:244:99::/64 blackhole; }
            protocol static bait4 { ipv4; route 0.0.0.0/0 blackhole; route 192.0.2.0/24 blackhole; route 10.244.99.0/24 blackhole; }
            template bgp node {
              local as {{TorAs}};
              graceful restart on;
              connect retry time 5;
              error wait time 1, 30;
            }

            """);
        for (var node = 1; node <= NodeCount; node++)
        {
            text.Append($$"""
                protocol bgp n{{node}}_v6 from node { neighbor {{NodeIPv6(node)}} as {{NodeAs}}; ipv6 { import all; export all; }; }
                protocol bgp n{{node}}_v4 from node { neighbor {{NodeIPv4(node)}} as {{NodeAs}}; ipv4 { import all; export all; }; }

                """);
        }

        return text.ToString();
    }

    private void BuildTopology()
    {
        var (segmentA, segmentB) = (Ns("sa"), Ns("sb"));
        string[] hosts = [Tor, .. Enumerable.Range(1, NodeCount).Select(NodeNs)];
        foreach (var netns in new[] { segmentA, segmentB }.Concat(hosts))
        {
            Shell.Run("ip", "netns", "add", netns);
            Shell.Run("ip", "-n", netns, "link", "set", "lo", "up");
            Sysctl(netns, "net.ipv6.conf.all.accept_dad", "0");
            Sysctl(netns, "net.ipv6.conf.default.accept_dad", "0");
        }

        foreach (var segment in new[] { segmentA, segmentB })
        {
            Shell.Run("ip", "-n", segment, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
            Shell.Run("ip", "-n", segment, "link", "set", "br0", "up");
        }

        var port = 0;
        void Attach(string segment, string host, string ifName)
        {
            var bridgePort = $"p{port++}";
            Shell.Run("ip", "-n", segment, "link", "add", bridgePort, "type", "veth", "peer", "name", ifName, "netns", host);
            Shell.Run("ip", "-n", segment, "link", "set", bridgePort, "master", "br0", "up");
            Shell.Run("ip", "-n", host, "link", "set", ifName, "up");
        }

        void Address(string host, string ifName, params string[] cidrs)
        {
            foreach (var cidr in cidrs)
            {
                Shell.Run("ip", "-n", host, "addr", "add", cidr, "dev", ifName, "nodad");
            }
        }

        Attach(segmentA, Tor, "eth0");
        Attach(segmentB, Tor, "eth1");
        Address(Tor, "eth0", "fd00:a11::fe/64", "10.99.0.254/24");
        Address(Tor, "eth1", "fd00:b22::fe/64", "10.98.0.254/24");
        Sysctl(Tor, "net.ipv6.conf.all.forwarding", "1");
        Sysctl(Tor, "net.ipv4.ip_forward", "1");

        for (var node = 1; node <= NodeCount; node++)
        {
            var netns = NodeNs(node);
            Attach(node <= 2 ? segmentA : segmentB, netns, "eth0");
            Address(netns, "eth0", $"{NodeIPv6(node)}/64", $"{NodeIPv4(node)}/24");
        }

        // The apiserver listens on the ToR's segment-A address; n3 reaches it by this one host route, not a default.
        Shell.Run("ip", "-n", NodeNs(3), "route", "add", "10.99.0.254/32", "via", "10.98.0.254");
    }

    private static void Sysctl(string netns, string key, string value) => Shell.InNamespace(netns, "sysctl", "-q", "-w", $"{key}={value}");

    public Task DisposeAsync()
    {
        Teardown();
        return Task.CompletedTask;
    }

    private void Teardown()
    {
        try
        {
            DeletePods();
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Best effort; the namespaces go below regardless.
        }

        // Each step runs even when an earlier one failed: namespaces and BIRD processes must never outlive the tests.
        foreach (var step in new Action[] { StopAgents, StopNodeBirds, StopTor, () => Api?.Dispose() })
        {
            try
            {
                step();
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception or ArgumentException)
            {
                // Best effort, as above.
            }
        }

        var ours = Shell.Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries)
                        .Select(line => line.Split(' ')[0])
                        .Where(name => name.StartsWith($"cv6g-{_id}-", StringComparison.Ordinal))
                        .OrderByDescending(name => name.StartsWith($"cv6g-{_id}-p", StringComparison.Ordinal))
                        .ToArray();
        foreach (var netns in ours)
        {
            Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", netns);
        }

        Directory.Delete(Dir, recursive: true);
    }
}
