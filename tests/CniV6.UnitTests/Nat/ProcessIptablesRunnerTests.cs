using CniV6.Core.Nat;

namespace CniV6.UnitTests.Nat;

public sealed class ProcessIptablesRunnerTests
{
    private readonly ProcessIptablesRunner runner = new(TimeSpan.FromSeconds(10));

    [Fact]
    public void Passes_arguments_without_a_shell_and_feeds_stdin()
    {
        IptablesResult echoed = runner.Run("echo", ["a b", "$HOME", "*"], null);
        Assert.Equal(0, echoed.ExitCode);
        Assert.Equal("a b $HOME *\n", echoed.StandardOutput);

        Assert.Equal("*nat\nCOMMIT\n", runner.Run("cat", [], "*nat\nCOMMIT\n").StandardOutput);
    }

    [Fact]
    public void Captures_exit_code_and_stderr()
    {
        IptablesResult result = runner.Run("sh", ["-c", "echo oops >&2; exit 3"], null);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("oops\n", result.StandardError);
    }

    [Fact]
    public void Missing_program_answers_127()
    {
        Assert.Equal(IptablesResult.NotFoundExitCode, runner.Run("cniv6-no-such-program", [], null).ExitCode);
    }

    [Fact]
    public void Program_that_hangs_is_killed_after_the_timeout()
    {
        var quick = new ProcessIptablesRunner(TimeSpan.FromMilliseconds(300));

        IptablesException e = Assert.Throws<IptablesException>(() => quick.Run("sleep", ["30"], null));

        Assert.Equal(-1, e.ExitCode);
        Assert.Contains("did not finish", e.Message, StringComparison.Ordinal);
    }
}
