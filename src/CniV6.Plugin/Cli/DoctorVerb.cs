using CniV6.Core.NodeState;
using CniV6.Plugin.Doctor;

namespace CniV6.Plugin.Cli;

/// <summary>
/// <c>cniv6 doctor</c>: runs every <see cref="IDoctorCheck"/> on this node (the network namespace it runs in) and
/// prints what it found with the command that fixes each problem. Exit 1 when anything fails, 0 otherwise (warnings
/// included). Read-only: it never changes the node.
/// </summary>
internal sealed class DoctorVerb : ICliVerb
{
    public string Name => "doctor";

    public string Summary => "check this node for the traps that break pod networking, with the fix for each";

    public string Usage =>
        "usage: cniv6 doctor [--json] [options]\n\n" +
        "Checks forwarding, router advertisements, default routes, NAT, the CNI configuration, the installed\n" +
        "plugin, IPAM leaks, MTU, DNS, bridge netfilter, the node's pod CIDRs and the routing mode; prints check, status (ok/warn/fail), what was\n" +
        "found and the command that fixes it. Exits 1 when a check fails. Changes nothing.\n\n" +
        "options:\n" +
        "  --json             print the findings as JSON\n" +
        "  --bin-dir DIR      the runtime's CNI bin directory (default /opt/cni/bin)\n" +
        "  --resolv-conf FILE the resolv.conf CoreDNS inherits (default /etc/resolv.conf)\n" +
        "  --run-dir DIR      cniv6-agent's run directory, for its node records (default /run/cniv6)\n" +
        NetworkOptions.Usage;

    public int Run(IReadOnlyList<string> arguments, CliConsole console)
    {
        var parsed = CliArguments.Parse(this, arguments, ["--json"], maxPositionals: 0, [.. NetworkOptions.Declared, "--bin-dir", "--resolv-conf", "--run-dir"]);
        var context = new DoctorContext(
            NetworkOptions.From(parsed),
            parsed.Value("--bin-dir") ?? DoctorContext.DefaultBinDir,
            parsed.Value("--resolv-conf") ?? DoctorContext.DefaultResolvConf,
            Environment.ProcessPath,
            NodeStateFiles.ForCurrentNamespace(parsed.Value("--run-dir") ?? NodeStateFiles.DefaultRunDirectory));
        var findings = DoctorChecks.Run(context, DoctorChecks.All);
        console.Out.Write(parsed.Has("--json") ? DoctorReport.Json(findings) : DoctorReport.Table(findings));
        return DoctorReport.Worst(findings) == DoctorStatus.Fail ? 1 : 0;
    }
}
