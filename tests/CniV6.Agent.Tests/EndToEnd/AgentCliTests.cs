using System.Security.Cryptography;
using CniV6.Agent.Tests.Infrastructure;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>The published (Native AOT) cniv6-agent's command line: verbs, help, version and usage errors.</summary>
public sealed class AgentCliTests : IDisposable
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(20);
    private readonly string _netns = $"cv6r-{Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant()}-cli";
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6r-cli-").FullName;

    [Fact]
    public void Help_prints_usage_with_the_verbs_and_flags_and_exits_0()
    {
        var (exit, output, error) = Shell.TryRun(Quick, RequiredFiles.Agent, "--help");

        Assert.Equal(0, exit);
        Assert.Contains("cniv6-agent [command] [options]", output, StringComparison.Ordinal);
        Assert.Contains("run ", output, StringComparison.Ordinal);
        Assert.Contains("--routing-mode", output, StringComparison.Ordinal);
        Assert.Contains("Show help and usage information", output, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [Fact]
    public void Version_prints_one_line_and_exits_0()
    {
        var (exit, output, _) = Shell.TryRun(Quick, RequiredFiles.Agent, "--version");

        Assert.Equal(0, exit);
        Assert.Matches(@"^cniv6-agent [0-9]+\.[0-9]+\.[0-9]+\S*\n$", output);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("run", "--mtux", "1400")]
    [InlineData("uninstall-everything")]
    public void An_unknown_flag_or_verb_exits_2_with_the_error_and_usage_on_stderr(params string[] args)
    {
        var (exit, output, error) = Shell.TryRun(Quick, RequiredFiles.Agent, args);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith($"cniv6-agent: Unrecognized command or argument '{args[^(args.Length > 2 ? 2 : 1)]}'", error, StringComparison.Ordinal);
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_routing_mode_exits_2_with_one_line()
    {
        var (exit, output, error) = Shell.TryRun(Quick, RequiredFiles.Agent, "--node-name", "n1", "--source", "static", "--routing-mode", "ebpf");

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Equal("cniv6-agent: Routing:Mode must be \"auto\" or \"bgp\" or \"hostgw\" or \"vxlan\", not \"ebpf\"\n", error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("run", "--help")]
    public void Help_never_starts_the_agent_even_with_a_complete_configuration(params string[] help)
    {
        // Inside a throwaway namespace, so an agent that did start could not touch the host's routes.
        RequiredFiles.EnsureRoot();
        Shell.Run("ip", "netns", "add", _netns);
        var config = Path.Combine(_dir, "agent.json");
        File.WriteAllText(config, $$"""
            {
              "NodeName": "edge-1", "Source": "static",
              "Cni": { "ConfDir": "{{_dir}}/net.d", "BinDir": "{{_dir}}/bin", "IpamDataDir": "{{_dir}}/ipam" },
              "Health": { "Port": 0 },
              "Static": { "Pools": ["fd00:10:244:1::/64"] }
            }
            """);

        var (exit, output, _) = Shell.TryRun(Quick, "ip", ["netns", "exec", _netns, RequiredFiles.Agent, .. help[..^1], "--config", config, "--plugin-source", RequiredFiles.Plugin, help[^1]]);

        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "net.d")));
        Assert.False(Directory.Exists(Path.Combine(_dir, "bin")));
    }

    public void Dispose()
    {
        Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", _netns);
        Directory.Delete(_dir, recursive: true);
    }
}
