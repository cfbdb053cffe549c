using System.Diagnostics;

namespace CniV6.E2ETests.Infrastructure;

/// <summary>Runs external tools (ip, iptables-save, ping, the libcni driver, the plugin binary).</summary>
internal static class ProcessRunner
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs the command, feeding <paramref name="stdin"/> and adding <paramref name="environment"/>; kills it after the timeout.</summary>
    public static ProcessResult Run(
        string fileName,
        IEnumerable<string> arguments,
        string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null)
    {
        using Process process = Start(fileName, arguments, environment, redirectStdin: true);
        string commandLine = CommandLine(process.StartInfo);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(timeout ?? DefaultTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"`{commandLine}` did not finish within {timeout ?? DefaultTimeout}");
        }

        process.WaitForExit();
        return new ProcessResult(commandLine, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    public static ProcessResult Run(string fileName, params string[] arguments) => Run(fileName, (IEnumerable<string>)arguments);

    /// <summary>Runs the command and returns its stdout; throws with the full output when it fails.</summary>
    public static string RunChecked(string fileName, params string[] arguments)
    {
        ProcessResult result = Run(fileName, arguments);
        return result.Succeeded ? result.StandardOutput : throw new InvalidOperationException(result.Describe());
    }

    /// <summary>Starts a long-running command with redirected output (the caller owns and stops it).</summary>
    public static Process Start(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        bool redirectStdin = false)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = redirectStdin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach ((string key, string value) in environment)
            {
                startInfo.Environment[key] = value;
            }
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {fileName}");
    }

    private static string CommandLine(ProcessStartInfo startInfo) =>
        string.Join(' ', [startInfo.FileName, .. startInfo.ArgumentList]);
}
