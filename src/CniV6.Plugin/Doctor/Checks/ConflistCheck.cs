using CniV6.Core.Config;
using CniV6.Plugin.Cli;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// The CNI configuration the runtime will use: runtimes take the first file of the directory in lexical order, so
/// ours must be that file; it must parse as the plugin parses it; its versions must reach 1.1.0 (GC and STATUS); and
/// every plugin it chains must be in the bin directory, or every ADD fails with "failed to find plugin".
/// </summary>
internal sealed class ConflistCheck : IDoctorCheck
{
    /// <summary>Where distributions install the reference plugins, to copy a missing one from.</summary>
    private static readonly string[] KnownPluginDirectories = ["/usr/lib/cni", "/usr/libexec/cni", "/opt/cni/bin"];

    public string Name => "conflist";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        var files = context.Network.ConflistPath is null ? CniConfFile.List(context.Network.ConfDir) : [];
        var first = files.Count > 0 ? files[0] : null;
        return Evaluate(context.Network, first is null ? null : CniConfFile.Load(first), context.ConfFile, context.BinDir, File.Exists);
    }

    /// <param name="first">The first configuration of the directory (null with --conflist, or when it is empty).</param>
    /// <param name="ours">The first configuration with a cniv6 plugin (or --conflist).</param>
    internal static IEnumerable<DoctorFinding> Evaluate(NetworkOptions options, CniConfFile? first, CniConfFile? ours, string binDir, Func<string, bool> fileExists)
    {
        const string check = "conflist";
        if (ours is null || !ours.IsOurs)
        {
            yield return DoctorFinding.Fail(check,
                ours is null ? $"no configuration with a cniv6 plugin in {options.ConfDir}" : $"{ours.Path} has no cniv6 plugin",
                "start cniv6-agent (it writes 10-cniv6.conflist), or install packaging/cni/10-cniv6.conflist into the conf dir");
            yield break;
        }

        if (first is not null && first.Path != ours.Path)
        {
            yield return DoctorFinding.Fail(check,
                $"{first.Path} (network {first.Name ?? "?"}, {string.Join(", ", first.PluginTypes)}) sorts before {Path.GetFileName(ours.Path)}: runtimes use it, not cniv6",
                $"mv {ShellQuote.Quote(first.Path)} {ShellQuote.Quote(first.Path + ".disabled")}");
        }

        if (ours.Config is null)
        {
            yield return DoctorFinding.Fail(check, $"{ours.Path} is not valid: {ours.Problem}",
                $"fix {ours.Path} (cniv6-agent rewrites it on its next sync)");
            yield break;
        }

        if (!ours.CniVersions.Any(v => CniVersion.IsWellFormed(v) && CniVersion.IsAtLeast(v, "1.1.0")))
        {
            yield return DoctorFinding.Warn(check, $"{ours.Path} declares cniVersion {string.Join("/", ours.CniVersions.Distinct())} only: runtimes never call GC or STATUS (1.1.0)",
                $"add \"cniVersions\": [\"1.0.0\", \"1.1.0\"] to {ours.Path}");
        }

        var missing = ours.PluginTypes.Distinct().Where(type => !fileExists(Path.Combine(binDir, type))).ToList();
        foreach (var type in missing)
        {
            var source = KnownPluginDirectories.Select(d => Path.Combine(d, type)).FirstOrDefault(p => p != Path.Combine(binDir, type) && fileExists(p));
            yield return DoctorFinding.Fail(check, $"{ours.Path} chains '{type}', which is not in {binDir}: every ADD fails",
                source is not null
                    ? $"install -m 0755 {source} {ShellQuote.Quote(Path.Combine(binDir, type))}"
                    : $"install the '{type}' plugin into {binDir} (apt-get install containernetworking-plugins, or https://github.com/containernetworking/plugins/releases), or remove it from {ours.Path}");
        }

        if (missing.Count == 0 && (first is null || first.Path == ours.Path))
        {
            yield return DoctorFinding.Ok(check,
                $"{ours.Path}: network {ours.Config.Name}, cniVersion {string.Join("/", ours.CniVersions.Distinct())}, plugins {string.Join(", ", ours.PluginTypes)} all in {binDir}");
        }
    }
}
