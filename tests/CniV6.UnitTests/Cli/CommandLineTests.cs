using System.Runtime.Versioning;
using CniV6.Plugin.Cli;

namespace CniV6.UnitTests.Cli;

[SupportedOSPlatform("linux")]
public sealed class CommandLineTests
{
    [Fact]
    public void Version_flag_and_verb_print_the_same_two_lines()
    {
        var (flagCode, flagOut, flagErr) = Run("--version");
        var (verbCode, verbOut, _) = Run("version");

        Assert.Equal((0, 0), (flagCode, verbCode));
        Assert.Equal(flagOut, verbOut);
        Assert.Empty(flagErr);
        Assert.Equal(
            [$"CNI cniv6 plugin v{VersionVerb.BuildVersion}", "CNI protocol versions supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0"],
            flagOut.TrimEnd().Split("\n"));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void Help_prints_the_usage_with_every_verb_on_stdout(string flag)
    {
        var (code, stdout, stderr) = Run(flag);

        Assert.Equal(0, code);
        Assert.Equal(CommandLine.Usage(), stdout);
        int width = CommandLine.Verbs.Max(v => v.Name.Length);
        Assert.All(CommandLine.Verbs, verb => Assert.Contains($"  {verb.Name.PadRight(width)}  {verb.Summary}", stdout, StringComparison.Ordinal));
        Assert.Empty(stderr);
    }

    [Theory]
    [InlineData("version", "--help")]
    [InlineData("help", "version")]
    public void A_verb_s_help_is_its_own_usage(string first, string second)
    {
        var (code, stdout, _) = Run(first, second);

        Assert.Equal(0, code);
        Assert.StartsWith("usage: cniv6 version\n", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown command 'frobnicate'", "frobnicate")]
    [InlineData("unknown option '--frobnicate'", "--frobnicate")]
    [InlineData("unknown option '-x'", "-x")]
    [InlineData("unknown command 'nope'", "help", "nope")]
    public void Unknown_verbs_and_options_fail_with_the_top_level_usage_on_stderr(string message, params string[] arguments)
    {
        var (code, stdout, stderr) = Run(arguments);

        Assert.Equal(CommandLine.UsageExitCode, code);
        Assert.Empty(stdout);
        Assert.Equal($"cniv6: {message}\n\n{CommandLine.Usage()}", stderr.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("unknown option '--json' for 'version'", "version", "--json")]
    [InlineData("unexpected argument 'now' for 'version'", "version", "now")]
    [InlineData("unknown option '--yes' for 'version'", "--version", "--yes")]
    public void Arguments_a_verb_does_not_take_fail_with_its_usage(string message, params string[] arguments)
    {
        var (code, stdout, stderr) = Run(arguments);

        Assert.Equal(CommandLine.UsageExitCode, code);
        Assert.Empty(stdout);
        Assert.Equal($"cniv6: {message}\n\n{new VersionVerb().Usage}", stderr.ReplaceLineEndings("\n"));
    }

    private static (int Code, string Out, string Error) Run(params string[] arguments)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = CommandLine.Run(arguments, new CliConsole(stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }
}
