using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CniV6.Linux;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>Which node addresses the cluster knows (and so which families the tunnels can run over).</summary>
public enum Underlay
{
    DualStack,
    IPv6Only,
    IPv4Only,
}

/// <summary>
/// Two L2 segments joined by a router that knows no pod CIDR, as in a cloud VPC with two subnets:
/// <code>
///   n1 n2 (fd00:a11::1N/64, 10.99.0.1N/24) ── segment A (bridge) ──┐
///   rg (a host that is no node: fd00:a11::66, 10.99.0.66) ─────────┤ rtr (fd00:a11::fe, 10.99.0.254 | fd00:b22::fe, 10.98.0.254)
///   n3 n4 (fd00:b22::1N/64, 10.98.0.1N/24) ── segment B (bridge) ──┘
/// </code>
/// Every node has both families on its uplink and default routes via the router; which of its addresses the cluster
/// knows is the <see cref="Underlay"/> of a run. Each node runs its own agent (static source, or the fake apiserver
/// in the router's namespace); pods are added through libcni with what the agent installed. Everything is under
/// the name prefix cv6x-XXXX- and a temp directory, and is removed on dispose.
/// </summary>
public sealed class OverlayCluster : IAsyncLifetime
{
    public const int NodeCount = 4;
    public const int HealthPort = 9646;
    public const int UplinkMtu = 1500;

    private readonly string _id = Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant();
    private readonly AgentProcess?[] _agents = new AgentProcess?[NodeCount + 1];
    private readonly string[]?[] _agentExtraArgs = new string[]?[NodeCount + 1];
    private readonly List<TestPod> _pods = [];
    private int _podCounter;

    public OverlayCluster() => Dir = Directory.CreateTempSubdirectory("cv6x-overlay-").FullName;

    public string Dir { get; }

    public string Router => Ns("rtr");

    /// <summary>A host on segment A that is not a node: the source of forged VXLAN packets.</summary>
    public string Rogue => Ns("rg");

    public static IPAddress RogueIPv6 { get; } = IPAddress.Parse("fd00:a11::66");

    /// <summary>The router's address on segment B: "outside the cluster" for the masquerade check.</summary>
    public static IPAddress OutsideIPv6 { get; } = IPAddress.Parse("fd00:b22::fe");

    public static IPAddress OutsideIPv4 { get; } = IPAddress.Parse("10.98.0.254");

    internal FakeKubeApiServer? Api { get; private set; }

    public string Ns(string role) => $"cv6x-{_id}-{role}";

    public string NodeNs(int node) => Ns($"n{node}");

    internal string NodeDir(int node) => Path.Combine(Dir, $"n{node}");

    internal AgentProcess Agent(int node) => _agents[node] ?? throw new InvalidOperationException($"agent n{node} is not running");

    /// <summary>n1 and n2 on segment A, n3 and n4 on segment B.</summary>
    public static IPAddress NodeIPv6(int node) => IPAddress.Parse(node <= 2 ? $"fd00:a11::{10 + node}" : $"fd00:b22::{10 + node}");

    public static IPAddress NodeIPv4(int node) => IPAddress.Parse(node <= 2 ? $"10.99.0.{10 + node}" : $"10.98.0.{10 + node}");

    public static IPAddress[] NodeAddresses(int node, Underlay underlay) => underlay switch
    {
        Underlay.IPv6Only => [NodeIPv6(node)],
        Underlay.IPv4Only => [NodeIPv4(node)],
        _ => [NodeIPv6(node), NodeIPv4(node)],
    };

    public static string[] PodCidrs(int node) => [$"fd00:10:244:{node}::/64", $"10.244.{node}.0/24"];

    internal static FakeNode NodeObject(int node, Underlay underlay) =>
        new($"n{node}", [.. NodeAddresses(node, underlay).Select(a => a.ToString())], PodCidrs(node));

    public Task InitializeAsync()
    {
        RequiredFiles.EnsureRoot();
        _ = (RequiredFiles.Agent, RequiredFiles.Plugin, RequiredFiles.Driver);
        try
        {
            BuildTopology();
        }
        catch
        {
            Teardown();
            throw;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// (Re)starts every node's agent in <paramref name="mode"/> with the static source knowing the addresses of
    /// <paramref name="underlay"/>, and waits until all are ready. Pods from earlier runs are deleted first.
    /// </summary>
    internal async Task StartAsync(string mode, Underlay underlay = Underlay.DualStack, string[]? extraArgs = null)
    {
        DeletePods();
        StopAgents();
        for (var node = 1; node <= NodeCount; node++)
        {
            File.WriteAllText(ConfigPath(node), StaticConfig(node, mode, underlay).ToJsonString());
            StartAgent(node, extraArgs);
        }

        for (var node = 1; node <= NodeCount; node++)
        {
            await WaitUntilReadyAsync(node);
        }
    }

    /// <summary>As <see cref="StartAsync"/>, but every agent follows the fake apiserver (in the router's namespace).</summary>
    internal async Task StartWithKubernetesAsync(string mode, Underlay underlay = Underlay.DualStack)
    {
        DeletePods();
        StopAgents();
        Api ??= FakeKubeApiServer.Start(IPAddress.Parse("10.99.0.254"), 6443, start => NetNamespace.Run(InNamespace.PathOf(Router), start));
        Api.WriteKubeconfig(Path.Combine(Dir, "kubeconfig"));
        for (var node = 1; node <= NodeCount; node++)
        {
            Api.Upsert(NodeObject(node, underlay));
        }

        for (var node = 1; node <= NodeCount; node++)
        {
            var config = new JsonObject { ["Routing"] = new JsonObject { ["Mode"] = mode } };
            File.WriteAllText(ConfigPath(node), config.ToJsonString());
            StartAgent(node, ["--kubeconfig", Path.Combine(Dir, "kubeconfig")]);
        }

        for (var node = 1; node <= NodeCount; node++)
        {
            await WaitUntilReadyAsync(node);
        }
    }

    /// <summary>Starts (or restarts) node <paramref name="node"/>'s agent with its current configuration file.</summary>
    internal AgentProcess StartAgent(int node, string[]? extraArgs = null)
    {
        _agents[node]?.Dispose();
        _agentExtraArgs[node] = extraArgs;
        _agents[node] = AgentProcess.Start(NodeNs(node), AgentArgs(node));
        return _agents[node]!;
    }

    /// <summary>The flags node <paramref name="node"/>'s agent runs with (for other verbs, e.g. uninstall), the extra ones included.</summary>
    internal string[] AgentArgs(int node)
    {
        var dir = NodeDir(node);
        return
        [
            "--config", ConfigPath(node),
            "--node-name", $"n{node}",
            "--cni-conf-dir", Path.Combine(dir, "net.d"),
            "--cni-bin-dir", Path.Combine(dir, "bin"),
            "--plugin-source", RequiredFiles.Plugin,
            "--ipam-data-dir", Path.Combine(dir, "ipam"),
            "--health-port", HealthPort.ToString(),
            "--resync-seconds", "10",
            .. _agentExtraArgs[node] ?? [],
        ];
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

    /// <summary>A new pod on <paramref name="node"/> through libcni, with the conflist its agent wrote; deleted by the next start or dispose.</summary>
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

    internal void StopAgents()
    {
        for (var node = 1; node <= NodeCount; node++)
        {
            _agents[node]?.Dispose();
            _agents[node] = null;
        }
    }

    private string ConfigPath(int node) => Path.Combine(Dir, $"agent-n{node}.json");

    private static JsonObject StaticConfig(int node, string mode, Underlay underlay)
    {
        var peers = new JsonArray();
        foreach (var peer in Enumerable.Range(1, NodeCount).Where(n => n != node))
        {
            peers.Add(new JsonObject
            {
                ["Name"] = $"n{peer}",
                ["Addresses"] = Strings(NodeAddresses(peer, underlay).Select(a => a.ToString())),
                ["PodCidrs"] = Strings(PodCidrs(peer)),
            });
        }

        return new JsonObject
        {
            ["Source"] = "static",
            ["Routing"] = new JsonObject { ["Mode"] = mode },
            ["Static"] = new JsonObject
            {
                ["Pools"] = Strings(PodCidrs(node)),
                ["Addresses"] = Strings(NodeAddresses(node, underlay).Select(a => a.ToString())),
                ["Peers"] = peers,
            },
        };
    }

    private static JsonArray Strings(IEnumerable<string> values) => [.. values.Select(v => (JsonNode)JsonValue.Create(v))];

    private void BuildTopology()
    {
        var (segmentA, segmentB) = (Ns("sa"), Ns("sb"));
        string[] hosts = [Router, Rogue, .. Enumerable.Range(1, NodeCount).Select(NodeNs)];
        foreach (var netns in new[] { segmentA, segmentB }.Concat(hosts))
        {
            Shell.Run("ip", "netns", "add", netns);
            Shell.Run("ip", "-n", netns, "link", "set", "lo", "up");
            // Addresses usable at once: duplicate address detection only adds seconds to every step here.
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
            Shell.Run("ip", "-n", segment, "link", "add", bridgePort, "mtu", UplinkMtu.ToString(), "type", "veth", "peer", "name", ifName, "netns", host);
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

        Attach(segmentA, Router, "eth0");
        Attach(segmentB, Router, "eth1");
        Address(Router, "eth0", "fd00:a11::fe/64", "10.99.0.254/24");
        Address(Router, "eth1", "fd00:b22::fe/64", "10.98.0.254/24");
        Sysctl(Router, "net.ipv6.conf.all.forwarding", "1");
        Sysctl(Router, "net.ipv4.ip_forward", "1");

        Attach(segmentA, Rogue, "eth0");
        Address(Rogue, "eth0", $"{RogueIPv6}/64", "10.99.0.66/24");

        for (var node = 1; node <= NodeCount; node++)
        {
            var netns = NodeNs(node);
            Attach(node <= 2 ? segmentA : segmentB, netns, "eth0");
            Address(netns, "eth0", $"{NodeIPv6(node)}/64", $"{NodeIPv4(node)}/24");
            Shell.Run("ip", "-n", netns, "route", "add", "default", "via", node <= 2 ? "10.99.0.254" : "10.98.0.254");
            Shell.Run("ip", "-n", netns, "-6", "route", "add", "default", "via", node <= 2 ? "fd00:a11::fe" : "fd00:b22::fe");
        }
    }

    internal static string Sysctl(string netns, string key) => Shell.InNamespace(netns, "sysctl", "-n", key).Trim();

    private static void Sysctl(string netns, string key, string value) => Shell.InNamespace(netns, "sysctl", "-q", "-w", $"{key}={value}");

    public Task DisposeAsync()
    {
        Teardown();
        return Task.CompletedTask;
    }

    private void Teardown()
    {
        DeletePodsQuietly();
        StopAgents();
        Api?.Dispose();

        // Pods first (their veths go with them), then every other namespace this cluster made.
        var ours = Shell.Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries)
                        .Select(line => line.Split(' ')[0])
                        .Where(name => name.StartsWith($"cv6x-{_id}-", StringComparison.Ordinal))
                        .OrderByDescending(name => name.StartsWith($"cv6x-{_id}-p", StringComparison.Ordinal))
                        .ToArray();
        foreach (var netns in ours)
        {
            Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", netns);
        }

        Directory.Delete(Dir, recursive: true);
    }

    private void DeletePodsQuietly()
    {
        try
        {
            DeletePods();
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Best effort; the namespaces go below regardless.
        }
    }

    /// <summary>The address of <paramref name="pod"/> of <paramref name="family"/>.</summary>
    internal static IPAddress Address(TestPod pod, AddressFamily family) => family == AddressFamily.InterNetworkV6 ? pod.IPv6 : pod.IPv4;
}
