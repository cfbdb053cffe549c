using System.ComponentModel;
using System.Diagnostics;

namespace CniV6.Core.Nat;

/// <summary>Runs the real binaries with an argument list (no shell) and a deadline.</summary>
internal sealed class ProcessIptablesRunner(TimeSpan timeout) : IIptablesRunner
{
    // A CNI plugin may be started with a minimal PATH; iptables lives in an sbin directory.
    private static readonly string[] ExtraSearchDirectories = ["/usr/sbin", "/sbin", "/usr/local/sbin"];

    public IptablesResult Run(string program, IReadOnlyList<string> arguments, string? standardInput)
    {
        string? path = Resolve(program);
        if (path is null)
        {
            return new IptablesResult(IptablesResult.NotFoundExitCode, "", $"{program}: not found");
        }

        var startInfo = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new IptablesResult(IptablesResult.NotFoundExitCode, "", $"{program}: {e.Message}");
        }

        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (standardInput is not null)
            {
                process.StandardInput.Write(standardInput);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited before reading its input; its exit code and stderr say why.
        }

        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new IptablesException(
                $"{program} {string.Join(' ', arguments)}", -1, Collect(stderr), $"did not finish within {timeout.TotalSeconds:0} s");
        }

        return new IptablesResult(process.ExitCode, Collect(stdout), Collect(stderr));
    }

    private static string Collect(Task<string> output) =>
        output.Wait(TimeSpan.FromSeconds(5)) ? output.Result : "";

    private static string? Resolve(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : null;
        }

        IEnumerable<string> directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(ExtraSearchDirectories);
        return directories.Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
    }
}
