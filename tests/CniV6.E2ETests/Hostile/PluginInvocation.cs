using System.Diagnostics;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests.Hostile;

/// <summary>
/// Runs the plugin in the node namespace like <see cref="E2ENode.InvokePlugin"/>, but tolerates a plugin that stops
/// reading stdin early (the bounded read of an oversized config): the rest of the input is simply not delivered.
/// </summary>
internal static class PluginInvocation
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    public static ProcessResult Run(E2ENode node, IReadOnlyDictionary<string, string> environment, string stdin)
    {
        using Process process = ProcessRunner.Start(
            "ip", ["netns", "exec", node.Namespace.Name, RepoLayout.PluginBinary], environment, redirectStdin: true);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Flush();
        }
        catch (IOException)
        {
            // EPIPE: the plugin refused the rest of the input and exited, which is what a bounded read does.
        }

        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The same broken pipe, reported again when the buffered rest is flushed on close.
        }

        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the plugin did not finish within {Timeout}");
        }

        process.WaitForExit();
        return new ProcessResult("cniv6", process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
