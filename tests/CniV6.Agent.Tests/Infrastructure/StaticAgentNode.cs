using System.Security.Cryptography;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>
/// One throwaway node namespace (<c>&lt;prefix&gt;-&lt;id&gt;-node</c>, an uplink with one address per family) running a
/// static-source cniv6-agent whose CNI directories live in a temporary directory, plus pod namespaces added through
/// the libcni driver. Everything it created is removed on Dispose, even after a failed test.
/// </summary>
internal sealed class StaticAgentNode : IDisposable
{
    private readonly string _id = Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant();
    private readonly string _prefix;
    private readonly List<string> _namespaces = [];

    public StaticAgentNode(string prefix)
    {
        _prefix = prefix;
        Dir = Directory.CreateTempSubdirectory($"{prefix}-node-").FullName;
    }

    public string Dir { get; }

    public string Netns => $"{_prefix}-{_id}-node";

    public AgentProcess? Agent { get; private set; }

    public string ConfigPath => Path.Combine(Dir, "agent.json");

    public string ConfDir => Path.Combine(Dir, "net.d");

    public string BinDir => Path.Combine(Dir, "bin");

    public string IpamDir => Path.Combine(Dir, "ipam");

    public string ConflistPath => Path.Combine(ConfDir, "10-cniv6.conflist");

    /// <summary>The node namespace: lo up, an uplink veth pair with fd00:5e::1/64 and 10.96.0.1/24.</summary>
    public void CreateNode()
    {
        RequiredFiles.EnsureRoot();
        Shell.Run("ip", "netns", "add", Netns);
        _namespaces.Add(Netns);
        Shell.Run("ip", "-n", Netns, "link", "set", "lo", "up");
        Shell.Run("ip", "-n", Netns, "link", "add", "uplink", "type", "veth", "peer", "name", "peer");
        Shell.Run("ip", "-n", Netns, "addr", "add", "fd00:5e::1/64", "dev", "uplink", "nodad");
        Shell.Run("ip", "-n", Netns, "addr", "add", "10.96.0.1/24", "dev", "uplink");
        Shell.Run("ip", "-n", Netns, "link", "set", "uplink", "up");
        Shell.Run("ip", "-n", Netns, "link", "set", "peer", "up");
    }

    /// <summary>
    /// Writes the agent's configuration: pools fd00:10:244:1::/64 and 10.244.1.0/24, one peer (fd00:5e::2 /
    /// 10.96.0.2) owning fd00:10:244:2::/64 and 10.244.2.0/24; <paramref name="cni"/> is extra JSON for the Cni section.
    /// </summary>
    public void WriteConfig(string networkName, string cni = "")
    {
        File.WriteAllText(ConfigPath, $$"""
            {
              "NodeName": "{{_prefix}}-node",
              "Source": "static",
              "Cni": { "ConfDir": "{{ConfDir}}", "BinDir": "{{BinDir}}", "IpamDataDir": "{{IpamDir}}", "NetworkName": "{{networkName}}"{{cni}} },
              "Health": { "Port": 9646 },
              "Static": {
                "Pools": ["fd00:10:244:1::/64", "10.244.1.0/24"],
                "Peers": [ { "Name": "{{_prefix}}-peer", "Addresses": ["fd00:5e::2", "10.96.0.2"], "PodCidrs": ["fd00:10:244:2::/64", "10.244.2.0/24"] } ]
              }
            }
            """);
    }

    /// <summary>Starts the agent and waits until /readyz answers 200 (first sync done: conflist, routes, NAT).</summary>
    public Task StartAgentAsync(params string[] extraArgs) => StartAgentAsync(new Uri("http://127.0.0.1:9646/"), null, extraArgs);

    /// <summary>
    /// As <see cref="StartAgentAsync(string[])"/>, with the health endpoint at <paramref name="health"/> and
    /// <paramref name="environment"/> added to the agent's environment.
    /// </summary>
    public async Task StartAgentAsync(Uri health, IReadOnlyDictionary<string, string>? environment, params string[] extraArgs)
    {
        Agent = AgentProcess.Start(Netns, ["--config", ConfigPath, "--plugin-source", RequiredFiles.Plugin, .. extraArgs], environment);
        if (await Agent.WaitUntilReadyAsync(Netns, new Uri(health, "readyz"), TimeSpan.FromSeconds(30)))
        {
            return;
        }

        Assert.Fail($"the agent did not become ready within 30 s:\n{Agent.Log}");
    }

    /// <summary>Stops the agent (SIGTERM) and waits for it.</summary>
    public void StopAgent()
    {
        if (Agent is { HasExited: false } agent)
        {
            agent.Terminate();
            Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(10)), $"the agent did not stop:\n{agent.Log}");
        }
    }

    public string CreatePodNamespace(string name)
    {
        var netns = $"{_prefix}-{_id}-{name}";
        Shell.Run("ip", "netns", "add", netns);
        _namespaces.Add(netns);
        return netns;
    }

    /// <summary>Runs the libcni driver in the node namespace; <paramref name="binPath"/> is libcni's plugin search path.</summary>
    public (int ExitCode, string Output, string Error) Drive(string op, string pod, string? binPath = null) =>
        Shell.TryRun(TimeSpan.FromSeconds(60), "ip", "netns", "exec", Netns, RequiredFiles.Driver,
            "-conflist", ConflistPath,
            "-bin", binPath ?? BinDir,
            "-netns", InNamespace.PathOf(pod),
            "-containerid", pod,
            "-cachedir", Path.Combine(Dir, "cni-cache"),
            "-op", op);

    public string DriveOrThrow(string op, string pod, string? binPath = null)
    {
        var (exitCode, output, error) = Drive(op, pod, binPath);
        return exitCode == 0 ? output : throw new InvalidOperationException($"driver {op} exited {exitCode}: {error} {output}");
    }

    public void Dispose()
    {
        Agent?.Dispose();
        foreach (var netns in Enumerable.Reverse(_namespaces))
        {
            Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", netns);
        }

        Directory.Delete(Dir, recursive: true);
    }
}
