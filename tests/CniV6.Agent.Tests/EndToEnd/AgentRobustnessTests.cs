using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CniV6.Agent.Tests.Infrastructure;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// The published agent meets ordinary trouble without dying: its health port held by another process, SIGTERM before
/// its first sync, a configuration or kubeconfig file that is not what it should be. No unhandled exception, no abort
/// (exit 134) and no stack trace; bad input is exit 2 with one line.
/// </summary>
public sealed class AgentRobustnessTests : IDisposable
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(20);

    private readonly string _netns = $"cv6d-{Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant()}-robust";
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6d-robust-").FullName;
    private AgentProcess? _agent;

    public AgentRobustnessTests()
    {
        RequiredFiles.EnsureRoot();
        Shell.Run("ip", "netns", "add", _netns);
        Shell.Run("ip", "-n", _netns, "link", "set", "lo", "up");
        Shell.Run("ip", "-n", _netns, "link", "add", "uplink", "type", "veth", "peer", "name", "peer");
        Shell.Run("ip", "-n", _netns, "addr", "add", "fd00:5e::1/64", "dev", "uplink", "nodad");
        Shell.Run("ip", "-n", _netns, "link", "set", "uplink", "up");
        Shell.Run("ip", "-n", _netns, "link", "set", "peer", "up");
    }

    private string ConflistPath => Path.Combine(_dir, "net.d", "10-cniv6.conflist");

    private string StaticConfig(int healthPort)
    {
        var config = Path.Combine(_dir, "agent.json");
        File.WriteAllText(config, $$"""
            {
              "NodeName": "edge-1", "Source": "static",
              "Cni": { "ConfDir": "{{_dir}}/net.d", "BinDir": "{{_dir}}/bin", "IpamDataDir": "{{_dir}}/ipam", "Portmap": false, "IpMasq": false },
              "Health": { "Port": {{healthPort}} },
              "Static": { "Pools": ["fd00:10:244:1::/64"] }
            }
            """);
        return config;
    }

    [Fact]
    public async Task A_health_port_held_by_another_process_is_retried_with_one_log_line_while_the_agent_works_on()
    {
        // Another local process holds the port (before the fix: an unhandled exception and exit 134, a crash loop).
        var squatter = InNamespace.TcpSocket(_netns, AddressFamily.InterNetwork);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 9646));
        squatter.Listen(1);
        try
        {
            _agent = AgentProcess.Start(_netns, ["--config", StaticConfig(9646), "--plugin-source", RequiredFiles.Plugin]);
            var clock = Stopwatch.StartNew();
            while (!File.Exists(ConflistPath) && clock.Elapsed < TimeSpan.FromSeconds(30) && !_agent.HasExited)
            {
                await Task.Delay(50);
            }

            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.False(_agent.HasExited, $"the agent exited ({(_agent.HasExited ? _agent.ExitCode : 0)}):\n{_agent.Log}");
            Assert.True(File.Exists(ConflistPath), $"the dataplane was not synced:\n{_agent.Log}");
            Assert.Single(_agent.Log.Split('\n'), line => line.Contains("port 127.0.0.1:9646 not available", StringComparison.Ordinal));
            Assert.DoesNotContain("Unhandled exception", _agent.Log, StringComparison.Ordinal);
        }
        finally
        {
            squatter.Dispose();
        }

        // Once the port is free the endpoint comes up: back-off 1 s doubling, so at most ~8 s after 5 s of trying.
        using var http = InNamespace.HttpClient(_netns);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(40))
        {
            try
            {
                using var response = await http.GetAsync(new Uri("http://127.0.0.1:9646/readyz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        Assert.Fail($"/readyz never answered after the port was freed:\n{_agent!.Log}");
    }

    [Fact]
    public async Task Sigterm_before_the_first_sync_exits_0_without_an_unhandled_exception()
    {
        // An apiserver nobody answers for: the agent waits for its first sync while SIGTERM arrives.
        var kubeconfig = Path.Combine(_dir, "kubeconfig");
        File.WriteAllText(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: gone
              cluster:
                server: http://127.0.0.1:1
            contexts:
            - name: gone
              context:
                cluster: gone
                user: agent
            current-context: gone
            users:
            - name: agent
              user:
                token: cv6d
            """);
        File.WriteAllText(Path.Combine(_dir, "agent.json"), "{}");
        _agent = AgentProcess.Start(_netns,
        [
            "--config", Path.Combine(_dir, "agent.json"), "--node-name", "edge-1", "--kubeconfig", kubeconfig,
            "--cni-conf-dir", Path.Combine(_dir, "net.d"), "--cni-bin-dir", Path.Combine(_dir, "bin"), "--ipam-data-dir", Path.Combine(_dir, "ipam"),
            "--health-port", "0",
        ]);
        var clock = Stopwatch.StartNew();
        while (!_agent.Log.Contains("Node watch failed", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(15) && !_agent.HasExited)
        {
            await Task.Delay(50);
        }

        Assert.False(_agent.HasExited, _agent.Log);
        _agent.Terminate();

        Assert.True(_agent.WaitForExit(TimeSpan.FromSeconds(10)), $"no exit after SIGTERM:\n{_agent.Log}");
        Assert.True(_agent.ExitCode == 0, $"exit {_agent.ExitCode}:\n{_agent.Log}");
        Assert.DoesNotContain("Unhandled exception", _agent.Log, StringComparison.Ordinal);
        Assert.Contains("Stopped before the first sync", _agent.Log, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> MalformedConfigs => new()
    {
        { "truncated JSON", """{ "NodeName": "edge-1", "Source": """ },
        { "a top-level array", """["NodeName", "edge-1"]""" },
        { "a duplicate key", """{ "NodeName": "edge-1", "NodeName": "edge-2" }""" },
        { "not UTF-8 JSON at all", "\u0000\u0001\u0002" },
        { "a directory", "<directory>" },
        { "a FIFO", "<fifo>" },
    };

    [Theory]
    [MemberData(nameof(MalformedConfigs))]
    public void A_malformed_config_file_exits_2_with_one_line(string what, string content)
    {
        var config = Path.Combine(_dir, "agent.json");
        switch (content)
        {
            case "<directory>":
                Directory.CreateDirectory(config);
                break;
            case "<fifo>":
                Shell.Run("mkfifo", config);
                break;
            default:
                File.WriteAllText(config, content);
                break;
        }

        foreach (var verb in new[] { "run", "uninstall" })
        {
            var (exit, output, error) = Shell.TryRun(Quick, "ip", "netns", "exec", _netns, RequiredFiles.Agent, verb, "--config", config, "--source", "static",
                                                     // Only the test's own directories, should a configuration ever get through.
                                                     "--cni-conf-dir", Path.Combine(_dir, "net.d"), "--cni-bin-dir", Path.Combine(_dir, "bin"),
                                                     "--ipam-data-dir", Path.Combine(_dir, "ipam"));

            Assert.True(exit == 2, $"{what}, {verb}: exit {exit}\n{error}");
            Assert.Empty(output);
            var line = Assert.Single(error.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("cniv6-agent: ", line, StringComparison.Ordinal);
            // No stack frame ("at Namespace.Type.Method("); the words "at the end" are fine.
            Assert.DoesNotMatch(@"\bat [\w.`]+\.[\w`<>]+\(", line);
            // Words, not the resource keys an AOT build with UseSystemResourceKeys prints ("Error_JSONParseError").
            // System.Text.Json's position labels ("LineNumber: 0 | BytePositionInLine: 0") are its wording, not keys.
            var words = line.Replace(_dir, "<dir>", StringComparison.Ordinal)
                            .Replace("LineNumber:", "line:", StringComparison.Ordinal)
                            .Replace("BytePositionInLine:", "byte:", StringComparison.Ordinal);
            Assert.DoesNotMatch(@"\b[A-Z][a-z]+(?:[A-Z][a-z0-9]+){2,}\b|\b[A-Za-z]+_[A-Za-z_]+\b", words);
        }
    }

    [Fact]
    public void A_kubeconfig_that_is_not_yaml_exits_2_with_one_line()
    {
        var kubeconfig = Path.Combine(_dir, "kubeconfig");
        File.WriteAllText(kubeconfig, "clusters: [ {: ::\n\t- ]]");

        var (exit, output, error) = Shell.TryRun(Quick, "ip", "netns", "exec", _netns, RequiredFiles.Agent, "--node-name", "edge-1", "--kubeconfig", kubeconfig,
                                                 "--config", StaticConfig(0), "--source", "kubernetes");

        Assert.True(exit == 2, $"exit {exit}\n{error}");
        Assert.Empty(output);
        Assert.StartsWith("cniv6-agent: ", Assert.Single(error.TrimEnd('\n').Split('\n')), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _agent?.Dispose();
        Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", _netns);
        Directory.Delete(_dir, recursive: true);
    }
}
