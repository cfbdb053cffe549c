using System.Diagnostics;
using CniV6.Plugin.Cli;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// The <c>cniv6</c> the runtime executes (in the bin directory) is the build this doctor belongs to; an older one
/// left behind by a failed upgrade behaves differently from what the doctor checks against.
/// </summary>
internal sealed class PluginVersionCheck : IDoctorCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public string Name => "plugin";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        var installed = Path.Combine(context.BinDir, "cniv6");
        string? output = null;
        if (File.Exists(installed))
        {
            output = VersionOutput(installed);
        }

        yield return Evaluate(installed, File.Exists(installed), output, VersionVerb.BuildVersion, context.SelfPath);
    }

    internal static DoctorFinding Evaluate(string installed, bool exists, string? versionOutput, string ownVersion, string? selfPath)
    {
        const string check = "plugin";
        var fix = $"install -m 0755 {ShellQuote.Quote(selfPath ?? "cniv6")} {ShellQuote.Quote(installed)}";
        if (!exists)
        {
            return DoctorFinding.Fail(check, $"{installed} does not exist: the runtime cannot run cniv6", fix);
        }

        const string prefix = "CNI cniv6 plugin v";
        var line = versionOutput?.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (line is null)
        {
            return DoctorFinding.Warn(check, $"{installed} does not report its version (older than 'cniv6 version', or not cniv6)", fix);
        }

        var version = line[prefix.Length..].Trim();
        return version == ownVersion
            ? DoctorFinding.Ok(check, $"{installed} is v{version}, as this doctor")
            : DoctorFinding.Warn(check, $"{installed} is v{version}, this doctor is v{ownVersion}", fix);
    }

    private static string? VersionOutput(string path)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("version");
        // With CNI_COMMAND set the binary would answer as a CNI plugin instead of running the verb.
        start.Environment.Remove("CNI_COMMAND");
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill();
                return null;
            }

            return output.GetAwaiter().GetResult();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
