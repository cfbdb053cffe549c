using System.Diagnostics;

namespace CniV6.IntegrationTests.Infrastructure;

/// <summary>Runs an external tool (ip, sysctl, …) and hands back what it printed.</summary>
public static class Command
{
    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/>; throws when it exits non-zero.</summary>
    public static string Run(string fileName, params string[] arguments)
    {
        CommandResult result = TryRun(fileName, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} exited with {result.ExitCode}: {result.StandardError.Trim()}");
        }

        return result.StandardOutput;
    }

    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/> and returns exit code and output.</summary>
    public static CommandResult TryRun(string fileName, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"could not start {fileName}");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new CommandResult(process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }
}

public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError);
