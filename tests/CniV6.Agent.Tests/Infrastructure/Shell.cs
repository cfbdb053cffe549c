using System.Diagnostics;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>Runs a command to completion and returns its output; failures throw with everything it printed.</summary>
internal static class Shell
{
    public static string Run(string file, params string[] args) => Run(TimeSpan.FromSeconds(60), file, args);

    public static string Run(TimeSpan timeout, string file, params string[] args)
    {
        var (exitCode, output, error) = TryRun(timeout, file, args);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"`{file} {string.Join(' ', args)}` exited {exitCode}: {error.Trim()} {output.Trim()}");
    }

    public static (int ExitCode, string Output, string Error) TryRun(TimeSpan timeout, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{file} {string.Join(' ', args)}` did not finish within {timeout}");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Runs inside a network namespace (<c>ip netns exec</c>).</summary>
    public static string InNamespace(string netns, string file, params string[] args) =>
        Run("ip", ["netns", "exec", netns, file, .. args]);
}
