using System.Reflection;
using CniV6.Core.Config;

namespace CniV6.Plugin.Cli;

/// <summary>
/// <c>cniv6 version</c> (also <c>cniv6 --version</c>): the build version and the CNI versions spoken, in the two
/// lines the reference plugins print (<c>CNI ptp plugin v1.1.1</c>), so scripts written for them read ours too.
/// </summary>
internal sealed class VersionVerb : ICliVerb
{
    public string Name => "version";

    public string Summary => "print the plugin's version and the CNI versions it supports";

    public string Usage => "usage: cniv6 version\n\nPrints the build version and the supported CNI protocol versions.\n";

    /// <summary>The assembly's informational version: the release version, plus the commit when the build knew it.</summary>
    public static string BuildVersion =>
        typeof(VersionVerb).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionVerb).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public int Run(IReadOnlyList<string> arguments, CliConsole console)
    {
        CliArguments.Parse(this, arguments, declaredFlags: [], maxPositionals: 0);
        console.Out.WriteLine($"CNI cniv6 plugin v{BuildVersion}");
        console.Out.WriteLine($"CNI protocol versions supported: {string.Join(", ", CniVersion.Supported)}");
        return 0;
    }
}
