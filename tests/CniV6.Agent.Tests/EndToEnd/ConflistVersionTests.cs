using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CniV6.Agent.Tests.Infrastructure;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// The conflist the agent writes, run the way both generations of runtimes run it: Debian's libcni 1.1.2 (the
/// driver) reads only <c>"cniVersion"</c> and must get a working 1.0.0 network; a runtime with libcni ≥ 1.2 picks
/// 1.1.0 from <c>"cniVersions"</c> and then calls GC and STATUS, here by invoking the installed plugin directly with
/// the stdin such a runtime builds. And the reason the list does not simply say 1.1.0: libcni 1.1.2 cannot run it.
/// </summary>
public sealed class ConflistVersionTests : IDisposable
{
    private const string NetworkName = "cv6c-net";

    private readonly string _id = Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant();
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6c-conflist-").FullName;
    private readonly List<string> _namespaces = [];
    private AgentProcess? _agent;

    private string Node => $"cv6c-{_id}-node";

    private string ConflistPath => Path.Combine(_dir, "net.d", "10-cniv6.conflist");

    private string PluginPath => Path.Combine(_dir, "bin", "cniv6");

    [Fact]
    public async Task Libcni_1_1_2_runs_the_agent_conflist_at_1_0_0()
    {
        await StartAgentAsync();
        var pod = CreatePodNamespace("p1");

        using var add = JsonDocument.Parse(Drive("add", ConflistPath, pod));
        Drive("check", ConflistPath, pod);
        Drive("del", ConflistPath, pod);

        Assert.Equal("1.0.0", add.RootElement.GetProperty("cniVersion").GetString());
        var addresses = add.RootElement.GetProperty("ips").EnumerateArray().Select(ip => IPAddress.Parse(ip.GetProperty("address").GetString()!.Split('/')[0])).ToArray();
        Assert.Contains(addresses, a => IPNetwork.Parse("fd00:10:244:1::/64").Contains(a));
        Assert.Contains(addresses, a => IPNetwork.Parse("10.244.1.0/24").Contains(a));
        Assert.DoesNotContain(pod, Allocations());
    }

    [Fact]
    public async Task Libcni_1_1_2_cannot_run_a_list_that_declares_only_1_1_0()
    {
        await StartAgentAsync();
        var list = JsonNode.Parse(File.ReadAllBytes(ConflistPath))!.AsObject();
        list["cniVersion"] = "1.1.0";
        list.Remove("cniVersions");
        var only11 = Path.Combine(_dir, "only-1.1.0.conflist");
        File.WriteAllText(only11, list.ToJsonString());
        var pod = CreatePodNamespace("p1");

        var (exitCode, output, error) = DriveUnchecked("add", only11, pod);

        // The plugin wired the pod and answered at 1.1.0; libcni 1.1.2 cannot decode that result.
        Assert.NotEqual(0, exitCode);
        Assert.Contains("unsupported CNI result version \"1.1.0\"", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_runtime_that_reads_cniVersions_runs_the_agent_conflist_at_1_1_0_and_can_GC_and_STATUS()
    {
        await StartAgentAsync();
        var conflist = File.ReadAllBytes(ConflistPath);
        var kept = CreatePodNamespace("kept");
        var leaked = CreatePodNamespace("leaked");

        var status = InvokePlugin("STATUS", null, LibcniConflist.PluginStdin(conflist, LibcniGeneration.From12));
        var keptAdd = InvokePlugin("ADD", kept, LibcniConflist.PluginStdin(conflist, LibcniGeneration.From12));
        InvokePlugin("ADD", leaked, LibcniConflist.PluginStdin(conflist, LibcniGeneration.From12));
        var attachments = new JsonArray(new JsonObject { ["containerID"] = kept, ["ifname"] = "eth0" });
        InvokePlugin("GC", null, LibcniConflist.PluginStdin(conflist, LibcniGeneration.From12, extra: new Dictionary<string, JsonNode?> { ["cni.dev/valid-attachments"] = attachments }));

        Assert.Equal("", status);
        Assert.Equal("1.1.0", JsonNode.Parse(keptAdd)!["cniVersion"]!.GetValue<string>());
        Assert.Equal([kept], Allocations());
        Assert.Contains($"cniv6 {NetworkName} {kept} eth0", Shell.Run("ip", "-n", Node, "-d", "link", "show"), StringComparison.Ordinal);
        Assert.DoesNotContain($"cniv6 {NetworkName} {leaked} eth0", Shell.Run("ip", "-n", Node, "-d", "link", "show"), StringComparison.Ordinal);
    }

    /// <summary>A static-source agent in a fresh node namespace; returns once it has written the conflist and installed the plugin.</summary>
    private async Task StartAgentAsync()
    {
        RequiredFiles.EnsureRoot();
        Shell.Run("ip", "netns", "add", Node);
        _namespaces.Add(Node);
        Shell.Run("ip", "-n", Node, "link", "set", "lo", "up");
        Shell.Run("ip", "-n", Node, "link", "add", "uplink", "type", "veth", "peer", "name", "peer");
        Shell.Run("ip", "-n", Node, "addr", "add", "fd00:5c::1/64", "dev", "uplink", "nodad");
        Shell.Run("ip", "-n", Node, "addr", "add", "10.97.0.1/24", "dev", "uplink");
        Shell.Run("ip", "-n", Node, "link", "set", "uplink", "up");
        Shell.Run("ip", "-n", Node, "link", "set", "peer", "up");
        var config = Path.Combine(_dir, "agent.json");
        File.WriteAllText(config, $$"""
            {
              "NodeName": "cv6c-node",
              "Source": "static",
              "Cni": { "ConfDir": "{{_dir}}/net.d", "BinDir": "{{_dir}}/bin", "IpamDataDir": "{{_dir}}/ipam", "NetworkName": "{{NetworkName}}", "Portmap": false },
              "Health": { "Port": 9646 },
              "Static": { "Pools": ["fd00:10:244:1::/64", "10.244.1.0/24"], "Peers": [] }
            }
            """);
        _agent = AgentProcess.Start(Node, ["--config", config, "--plugin-source", RequiredFiles.Plugin]);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(File.Exists(ConflistPath) && File.Exists(PluginPath)))
        {
            if (_agent.HasExited || DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the agent wrote no conflist and plugin within 30 s:\n{_agent.Log}");
            }

            await Task.Delay(50);
        }
    }

    private string CreatePodNamespace(string name)
    {
        var netns = $"cv6c-{_id}-{name}";
        Shell.Run("ip", "netns", "add", netns);
        _namespaces.Add(netns);
        return netns;
    }

    private string Drive(string op, string conflist, string pod)
    {
        var (exitCode, output, error) = DriveUnchecked(op, conflist, pod);
        return exitCode == 0 ? output : throw new InvalidOperationException($"driver {op} exited {exitCode}: {error} {output}");
    }

    private (int ExitCode, string Output, string Error) DriveUnchecked(string op, string conflist, string pod) =>
        Shell.TryRun(TimeSpan.FromSeconds(60), "ip", "netns", "exec", Node, RequiredFiles.Driver,
            "-conflist", conflist,
            "-bin", Path.Combine(_dir, "bin"),
            "-netns", InNamespace.PathOf(pod),
            "-containerid", pod,
            "-cachedir", Path.Combine(_dir, "cni-cache"),
            "-op", op);

    /// <summary>Runs the installed plugin in the node namespace as the spec describes (CNI_* environment, config on stdin); returns stdout.</summary>
    private string InvokePlugin(string command, string? pod, JsonObject stdin)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "netns", "exec", Node, PluginPath })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CNI_COMMAND"] = command;
        start.Environment["CNI_PATH"] = Path.Combine(_dir, "bin");
        if (pod is not null)
        {
            start.Environment["CNI_CONTAINERID"] = pod;
            start.Environment["CNI_NETNS"] = InNamespace.PathOf(pod);
            start.Environment["CNI_IFNAME"] = "eth0";
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the plugin");
        process.StandardInput.Write(stdin.ToJsonString());
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"plugin {command} did not finish within 30 s");
        }

        return process.ExitCode == 0
            ? output.Result
            : throw new InvalidOperationException($"plugin {command} exited {process.ExitCode}: {output.Result} {error.Result}");
    }

    /// <summary>Container ids holding addresses in the IPAM store.</summary>
    private string[] Allocations()
    {
        // One record file per attachment, named <containerId>=<ifName>.
        var records = Path.Combine(_dir, "ipam", NetworkName, "attachments");
        if (!Directory.Exists(records))
        {
            return [];
        }

        return Directory.GetFiles(records).Select(Path.GetFileName).OfType<string>().Where(name => !name.StartsWith('.'))
                        .Select(name => name[..name.IndexOf('=', StringComparison.Ordinal)]).Order(StringComparer.Ordinal).ToArray();
    }

    public void Dispose()
    {
        _agent?.Dispose();
        foreach (var netns in Enumerable.Reverse(_namespaces))
        {
            Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", netns);
        }

        Directory.Delete(_dir, recursive: true);
    }
}
