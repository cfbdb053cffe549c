using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using CniV6.Agent.Tests.Infrastructure;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// What the published agent writes to stdout: no host status chatter, a repeated failure as one line with its message
/// and no stack trace, and with <c>--log-format json</c> nothing but JSON objects, one per line.
/// </summary>
public sealed class AgentLogOutputTests : IDisposable
{
    private static readonly string[] HostChatter = ["Press Ctrl+C", "Content root path", "Hosting environment", "Application started"];

    private readonly string _netns = $"cv6l-{Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant()}-log";
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6l-log-").FullName;
    private AgentProcess? _agent;

    public AgentLogOutputTests()
    {
        RequiredFiles.EnsureRoot();
        Shell.Run("ip", "netns", "add", _netns);
        try
        {
            Shell.Run("ip", "-n", _netns, "link", "set", "lo", "up");
            Shell.Run("ip", "-n", _netns, "link", "add", "uplink", "type", "veth", "peer", "name", "peer");
            Shell.Run("ip", "-n", _netns, "addr", "add", "fd00:5e::1/64", "dev", "uplink", "nodad");
            Shell.Run("ip", "-n", _netns, "link", "set", "uplink", "up");
            Shell.Run("ip", "-n", _netns, "link", "set", "peer", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    [Fact]
    public async Task An_unreachable_apiserver_is_one_warning_with_its_cause_not_one_stack_trace_per_retry()
    {
        // Nobody listens on port 1: every list fails the same way, retried after 0.5, 1, 2, 4 s.
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
                token: cv6l
            """);
        File.WriteAllText(Path.Combine(_dir, "agent.json"), "{}");
        _agent = AgentProcess.Start(_netns,
        [
            "--config", Path.Combine(_dir, "agent.json"), "--node-name", "edge-1", "--kubeconfig", kubeconfig,
            "--cni-conf-dir", Path.Combine(_dir, "net.d"), "--cni-bin-dir", Path.Combine(_dir, "bin"), "--ipam-data-dir", Path.Combine(_dir, "ipam"),
            "--health-port", "0",
        ]);

        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.False(_agent.HasExited, _agent.Log);
        _agent.Terminate();
        Assert.True(_agent.WaitForExit(TimeSpan.FromSeconds(10)), $"no exit after SIGTERM:\n{_agent.Log}");

        var lines = Lines(_agent.Log);
        var failed = Assert.Single(lines, line => line.Contains("Node watch failed", StringComparison.Ordinal));
        Assert.Contains("refused", failed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(lines, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("Exception:", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => HostChatter.Any(chatter => line.Contains(chatter, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task With_json_every_line_is_one_json_object_and_the_host_status_lines_are_gone()
    {
        var config = Path.Combine(_dir, "agent.json");
        File.WriteAllText(config, $$"""
            {
              "NodeName": "edge-1", "Source": "static",
              "Cni": { "ConfDir": "{{_dir}}/net.d", "BinDir": "{{_dir}}/bin", "IpamDataDir": "{{_dir}}/ipam", "Portmap": false, "IpMasq": false },
              "Health": { "Port": 0 },
              "Static": { "Pools": ["fd00:10:244:1::/64"] }
            }
            """);
        _agent = AgentProcess.Start(_netns, ["--config", config, "--plugin-source", RequiredFiles.Plugin, "--log-format", "json"]);
        var clock = Stopwatch.StartNew();
        while (!_agent.Log.Contains("Ready: dataplane synced", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(30) && !_agent.HasExited)
        {
            await Task.Delay(50);
        }

        _agent.Terminate();
        Assert.True(_agent.WaitForExit(TimeSpan.FromSeconds(10)), $"no exit after SIGTERM:\n{_agent.Log}");
        Assert.True(_agent.ExitCode == 0, $"exit {_agent.ExitCode}:\n{_agent.Log}");

        var events = Lines(_agent.Log).Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);
            return (Category: root.GetProperty("Category").GetString()!, EventId: root.GetProperty("EventId").GetInt32(),
                    Level: root.GetProperty("LogLevel").GetString()!, Message: root.GetProperty("Message").GetString()!);
        }).ToList();
        Assert.Contains(events, e => e is { EventId: 200, Level: "Information" } && e.Message.StartsWith("Ready: dataplane synced", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.Category == "Microsoft.Hosting.Lifetime");
        Assert.DoesNotContain(events, e => HostChatter.Any(chatter => e.Message.Contains(chatter, StringComparison.Ordinal)));
    }

    [Fact]
    public void An_unknown_log_format_exits_2_with_one_line()
    {
        File.WriteAllText(Path.Combine(_dir, "agent.json"), """{ "NodeName": "edge-1", "Source": "static", "Static": { "Pools": ["fd00:10:244:1::/64"] } }""");

        var (exit, output, error) = Shell.TryRun(TimeSpan.FromSeconds(20), "ip", "netns", "exec", _netns, RequiredFiles.Agent,
                                                 "--config", Path.Combine(_dir, "agent.json"), "--log-format", "xml",
                                                 "--cni-conf-dir", Path.Combine(_dir, "net.d"), "--cni-bin-dir", Path.Combine(_dir, "bin"),
                                                 "--ipam-data-dir", Path.Combine(_dir, "ipam"));

        Assert.True(exit == 2, $"exit {exit}\n{error}");
        Assert.Empty(output);
        Assert.Equal("cniv6-agent: Logging:Format must be \"text\" or \"json\", not \"xml\"", Assert.Single(error.TrimEnd('\n').Split('\n')));
    }

    public void Dispose()
    {
        _agent?.Dispose();
        Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", _netns);
        Directory.Delete(_dir, recursive: true);
    }

    private static List<string> Lines(string log) => [.. log.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];
}
