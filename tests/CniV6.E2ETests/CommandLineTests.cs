using System.Text.Json;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>The published <c>cniv6</c> run by a person: verbs without CNI_COMMAND, the CNI protocol whenever it is set.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--version")]
    [InlineData("version")]
    public void Version_prints_the_build_and_the_supported_CNI_versions_like_the_reference_plugins(string argument)
    {
        ProcessResult result = ProcessRunner.Run(RepoLayout.PluginBinary, argument);

        Assert.True(result.Succeeded, result.Describe());
        string[] lines = result.StandardOutput.TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^CNI cniv6 plugin v\d+\.\d+\.\d+", lines[0]);
        Assert.Equal("CNI protocol versions supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0", lines[1]);
        Assert.Empty(result.StandardError);
    }

    [Fact]
    public void Help_lists_the_verbs_on_stdout()
    {
        ProcessResult result = ProcessRunner.Run(RepoLayout.PluginBinary, "--help");

        Assert.True(result.Succeeded, result.Describe());
        Assert.StartsWith("usage: cniv6 <command>", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("\n  version  ", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate", "unknown command 'frobnicate'")]
    [InlineData("--frobnicate", "unknown option '--frobnicate'")]
    [InlineData("version --json", "unknown option '--json' for 'version'")]
    public void An_unknown_verb_or_option_is_an_error_with_usage_on_stderr(string arguments, string message)
    {
        ProcessResult result = ProcessRunner.Run(RepoLayout.PluginBinary, arguments.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.StandardOutput);
        Assert.StartsWith($"cniv6: {message}\n", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("usage: cniv6", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void With_CNI_COMMAND_set_the_arguments_are_not_verbs_and_the_answer_is_CNI()
    {
        ProcessResult result = ProcessRunner.Run(
            RepoLayout.PluginBinary, ["--frobnicate"], stdin: "", environment: new Dictionary<string, string> { ["CNI_COMMAND"] = "VERSION" });

        Assert.True(result.Succeeded, result.Describe());
        using JsonDocument answer = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal("1.1.0", answer.RootElement.GetProperty("cniVersion").GetString());
    }
}
