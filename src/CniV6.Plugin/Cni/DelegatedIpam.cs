using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CniV6.Core.Config;

namespace CniV6.Plugin.Cni;

/// <summary>
/// Runs a delegated IPAM plugin (SPEC section 4): the executable named by <c>ipam.type</c>, found in the
/// <c>CNI_PATH</c> directories, started directly (no shell) with our environment, the command given and the
/// complete network configuration on stdin. Its stderr goes to ours, as the specification asks. A CNI error
/// object it prints is rethrown with its own code and message.
/// </summary>
internal static class DelegatedIpam
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A result is a few hundred bytes; anything near this is not a result.</summary>
    private const int MaxOutputBytes = 1 << 20;

    /// <summary>
    /// Runs <c>ipam.type</c> with <c>CNI_COMMAND=<paramref name="command"/></c>; returns its parsed result for ADD
    /// and null for the other commands.
    /// </summary>
    /// <exception cref="CniException">The delegate's own error, or code 7 (not found) / 103 (could not run, timed
    /// out, failed without an error object, printed no valid result).</exception>
    public static CniResult? Invoke(CniRequest request, string command, TimeSpan? timeout = null)
    {
        var type = request.Config.Ipam.Type;
        var executable = FindExecutable(type, request.Path) ?? throw new CniException(
            CniErrorCode.InvalidNetworkConfig,
            $"invalid config: field 'ipam.type': IPAM plugin '{type}' not found in CNI_PATH",
            $"searched: {string.Join(":", request.Path)}");

        var (exitCode, output) = Run(executable, type, command, request, timeout ?? DefaultTimeout);
        if (exitCode != 0)
        {
            throw ErrorFromOutput(type, command, exitCode, output);
        }

        if (command != CniCommand.Add)
        {
            return null;
        }

        if (output.Length == 0)
        {
            throw new CniException(CniErrorCode.DelegatedPluginFailed, $"IPAM plugin '{type}' printed no result for ADD");
        }

        try
        {
            return CniResult.Parse(output);
        }
        catch (CniException e)
        {
            throw new CniException(e.Code, $"IPAM plugin '{type}' returned an unusable result: {e.Message}", e.Details, e);
        }
    }

    /// <summary>First regular, executable file named <paramref name="type"/> in <paramref name="path"/>, like libcni's FindInPath.</summary>
    internal static string? FindExecutable(string type, IReadOnlyList<string> path)
    {
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        foreach (var directory in path)
        {
            var candidate = Path.Combine(directory, type);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & anyExecute) != 0)
            {
                return candidate;
            }
        }

        return null;
    }

    private static (int ExitCode, byte[] Output) Run(string executable, string type, string command, CniRequest request, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };

        // Our own environment is inherited; the CNI variables are set from the request so that e.g. the DEL
        // that undoes a failed ADD carries the same container, interface and arguments.
        var environment = startInfo.Environment;
        environment[CniEnvironment.CommandVariable] = command;
        environment[CniEnvironment.ContainerIdVariable] = request.ContainerId;
        environment[CniEnvironment.IfNameVariable] = request.IfName;
        environment[CniEnvironment.ArgsVariable] = CniEnvironment.FormatArgs(request.Args);
        environment[CniEnvironment.PathVariable] = string.Join(":", request.Path);
        if (request.NetNs is null)
        {
            environment.Remove(CniEnvironment.NetNsVariable);
        }
        else
        {
            environment[CniEnvironment.NetNsVariable] = request.NetNs;
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            throw new CniException(CniErrorCode.DelegatedPluginFailed, $"IPAM plugin '{type}' could not be started: {e.Message}", executable, e);
        }

        // Read and write concurrently: a plugin may write before it has read all of its input.
        var outputTask = Task.Run(() => ReadBounded(process.StandardOutput.BaseStream));
        var inputTask = Task.Run(() => WriteInput(process.StandardInput.BaseStream, request.StdinBytes));
        var deadline = Stopwatch.StartNew();
        if (!process.WaitForExit(timeout))
        {
            KillQuietly(process);
            throw new CniException(
                CniErrorCode.DelegatedPluginFailed,
                $"IPAM plugin '{type}' did not finish {command} within {timeout.TotalSeconds:0.#} s and was killed",
                executable);
        }

        // A child of the plugin could keep stdout open; do not wait for it beyond the deadline.
        var remaining = timeout - deadline.Elapsed;
        if (!outputTask.Wait(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero))
        {
            throw new CniException(
                CniErrorCode.DelegatedPluginFailed,
                $"IPAM plugin '{type}' exited but its stdout stayed open past the {timeout.TotalSeconds:0.#} s timeout",
                executable);
        }

        inputTask.Wait(TimeSpan.FromSeconds(1));
        return (process.ExitCode, outputTask.Result);
    }

    private static void WriteInput(Stream input, byte[] config)
    {
        try
        {
            input.Write(config);
            input.Dispose();
        }
        catch (IOException)
        {
            // The plugin exited without reading all of its input; its exit code and output tell what happened.
        }
    }

    private static byte[] ReadBounded(Stream output)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = output.Read(chunk)) > 0)
        {
            // Keep draining past the limit so the plugin never blocks on a full pipe; just stop storing.
            if (buffer.Length < MaxOutputBytes)
            {
                buffer.Write(chunk, 0, read);
            }
        }

        return buffer.ToArray();
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited between the timeout and the kill.
        }
    }

    /// <summary>The delegate's CNI error object if it printed one, else a generic failure with its output.</summary>
    private static CniException ErrorFromOutput(string type, string command, int exitCode, byte[] output)
    {
        try
        {
            using var document = JsonDocument.Parse(output);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("code", out var codeElement) && codeElement.TryGetInt32(out var code) && code > 0
                && root.TryGetProperty("msg", out var msgElement) && msgElement.ValueKind == JsonValueKind.String)
            {
                var details = root.TryGetProperty("details", out var detailsElement) && detailsElement.ValueKind == JsonValueKind.String
                    ? detailsElement.GetString()!
                    : "";
                return new CniException(code, msgElement.GetString()!, details);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not an error object (or one whose strings are not valid text); reported below with the raw output.
        }

        var text = Encoding.UTF8.GetString(output, 0, Math.Min(output.Length, 512)).Trim();
        return new CniException(
            CniErrorCode.DelegatedPluginFailed,
            $"IPAM plugin '{type}' failed {command} with exit code {exitCode}",
            text.Length == 0 ? "no output" : text);
    }
}
