using CniV6.Agent.Cli;
using CniV6.Agent.Configuration;

namespace CniV6.Agent.Tests.Unit;

/// <summary>The agent's process boundary with the agent itself faked: which verb runs, with what, and what never runs.</summary>
public sealed class AgentCommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6r-cli-").FullName;
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private readonly List<AgentInvocation> _runs = [];

    private Task<int> Invoke(params string[] args) => AgentCommandLine.InvokeAsync(args, new Dictionary<string, string>(), _output, _error, (invocation, _) =>
    {
        _runs.Add(invocation);
        return Task.FromResult(0);
    });

    [Theory]
    [InlineData]
    [InlineData("run")]
    public async Task Without_a_verb_or_with_run_it_runs_the_agent_with_the_flags_as_configuration_keys(params string[] verb)
    {
        var exit = await Invoke([.. verb, "--node-name", "n1", "--mtu=1400", "--routing-mode:hostgw", "--config", "/etc/x.json"]);

        Assert.Equal(0, exit);
        var run = Assert.Single(_runs);
        Assert.Equal(
            [new("Config", "/etc/x.json"), new("NodeName", "n1"), new("Routing:Mode", "hostgw"), new("Cni:Mtu", "1400")],
            run.Flags.ToArray());
        Assert.Empty(_error.ToString());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("run", "--help")]
    [InlineData("--node-name", "n1", "--help")]
    public async Task Help_prints_the_usage_and_never_starts_the_agent(params string[] args)
    {
        var exit = await Invoke(args);

        Assert.Equal(0, exit);
        Assert.Empty(_runs);
        Assert.Contains("Usage:", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("--routing-mode", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_build_version_and_never_starts_the_agent()
    {
        var exit = await Invoke("--version");

        Assert.Equal(0, exit);
        Assert.Empty(_runs);
        Assert.Matches(@"^cniv6-agent [0-9]+\.[0-9]+\.[0-9]+\S*\n$", _output.ToString());
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--node-name", "n1", "--Cni:Portmap=false")]
    [InlineData("run", "--mtux", "1400")]
    [InlineData("frobnicate")]
    [InlineData("run", "extra")]
    [InlineData("--mtu")]
    [InlineData("@/etc/hostname")]
    public async Task Anything_unknown_is_a_usage_error_with_exit_2_and_never_starts_the_agent(params string[] args)
    {
        var exit = await Invoke(args);

        Assert.Equal(2, exit);
        Assert.Empty(_runs);
        Assert.Empty(_output.ToString());
        var error = _error.ToString();
        Assert.StartsWith("cniv6-agent: ", error, StringComparison.Ordinal);
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_usage_error_names_the_offending_token()
    {
        await Invoke("run", "--mtux", "1400");

        Assert.Contains("'--mtux'", _error.ToString(), StringComparison.Ordinal);
        Assert.Contains("cniv6-agent run [options]", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_run_verb_refuses_an_unknown_routing_mode_with_exit_2_and_one_line()
    {
        var config = Path.Combine(_dir, "agent.json");
        File.WriteAllText(config, """{ "NodeName": "n1", "Source": "static", "Static": { "Pools": ["fd00:10:244:1::/64"] } }""");
        var invocation = new AgentInvocation(AgentCommandLine.ParseFlags(["--config", config, "--routing-mode", "ebpf"]),
                                             new Dictionary<string, string>(), _output, _error);

        var exit = await RunVerb.RunAsync(invocation, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Equal("cniv6-agent: Routing:Mode must be \"auto\" or \"bgp\" or \"hostgw\" or \"vxlan\", not \"ebpf\"\n", _error.ToString());
        Assert.Empty(_output.ToString());
    }

    [Fact]
    public async Task The_real_run_verb_refuses_a_malformed_config_file_with_exit_2_and_one_line()
    {
        var config = Path.Combine(_dir, "agent.json");
        File.WriteAllText(config, "{ \"NodeName\": ");
        var invocation = new AgentInvocation(AgentCommandLine.ParseFlags(["--config", config]), new Dictionary<string, string>(), _output, _error);

        var exit = await RunVerb.RunAsync(invocation, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Single(_error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Flags_outside_the_table_are_a_configuration_error()
    {
        var error = Assert.Throws<AgentConfigurationException>(() => AgentCommandLine.ParseFlags(["--node-name", "n1", "--frob"]));

        Assert.Contains("--frob", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _output.Dispose();
        _error.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
