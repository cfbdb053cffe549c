using System.Net.Sockets;
using System.Text;
using CniV6.Core.Nat;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// Outbound NAT per family the pools use, from the live rules (<c>*-save -t nat</c>, never the plugin's markers): the
/// nat table exists, and the network's <c>CNIV6-MASQ-…</c> chain holds exactly the rules its pools call for and is
/// jumped to once from POSTROUTING. The fix for wrong rules is the restore script the backend itself would apply.
/// </summary>
internal sealed class MasqueradeCheck : IDoctorCheck
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);

    public string Name => "nat";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        var config = context.Config;
        if (config is null)
        {
            yield return DoctorFinding.Warn(Name, "no valid cniv6 configuration: masquerade rules not checked (see 'conflist')", null);
            yield break;
        }

        if (!config.IpMasq)
        {
            yield return DoctorFinding.Ok(Name, $"ipMasq is off for network {config.Name}: no masquerading expected");
            yield break;
        }

        if (config.Ipam.Pools.Count == 0)
        {
            yield return DoctorFinding.Ok(Name, $"network {config.Name} has delegated IPAM: the plugin masquerades what the delegate hands out (not checked)");
            yield break;
        }

        var runner = new ProcessIptablesRunner(CommandTimeout);
        var variant = IptablesVariantDetector.Detect(runner);
        var plan = MasqueradePlan.For(config.Name, config.Ipam.Pools, config.MasqueradeExclude);
        foreach (var family in plan.Families)
        {
            var commands = new IptablesCommands(variant, family.Family);
            var saved = runner.Run(commands.Save, ["-t", "nat"], null);
            yield return Evaluate(IptablesMasqueradeChain.For(plan, family), commands, saved);
        }
    }

    internal static DoctorFinding Evaluate(IptablesMasqueradeChain desired, IptablesCommands commands, IptablesResult saved)
    {
        const string check = "nat";
        var familyName = DoctorContext.FamilyName(desired.Family);
        var module = desired.Family == AddressFamily.InterNetworkV6 ? "ip6table_nat" : "iptable_nat";
        if (saved.ExitCode == IptablesResult.NotFoundExitCode)
        {
            return DoctorFinding.Fail(check, $"{familyName}: {commands.Save} is not installed", "apt-get install iptables   # or your distribution's iptables package");
        }

        if (saved.ExitCode != 0 || !saved.StandardOutput.Contains("*nat", StringComparison.Ordinal))
        {
            var why = saved.StandardError.Trim() is { Length: > 0 } error ? error.Split('\n')[0] : "no nat table";
            return DoctorFinding.Fail(check, $"{familyName}: nat table not available ({why})",
                $"modprobe {module} && echo {module} > /etc/modules-load.d/cniv6-nat.conf");
        }

        var current = IptablesNatSnapshot.Parse(saved.StandardOutput, desired.Chain);
        var problems = IptablesMasqueradeBackend.Problems(desired, current, commands.FamilyTool).ToList();
        var backend = commands.Variant == IptablesVariant.Nft ? "iptables-nft" : "iptables-legacy";
        if (problems.Count == 0)
        {
            return DoctorFinding.Ok(check,
                $"{familyName}: {backend} chain {desired.Chain} masquerades {string.Join(", ", desired.Rules.Where(r => r.EndsWith("MASQUERADE", StringComparison.Ordinal)).Select(SourceOf))}, jumped to from POSTROUTING");
        }

        var script = IptablesMasqueradeBackend.EnsureScript(desired, current);
        return DoctorFinding.Fail(check, $"{familyName}: {string.Join("; ", problems)}",
            script is null ? null : $"{RestoreCommand(script, commands.Restore)}   # or restart the agent");
    }

    /// <summary>A one-line shell command feeding <paramref name="script"/> to <c>*-restore --noflush</c>.</summary>
    internal static string RestoreCommand(string script, string restore)
    {
        var command = new StringBuilder("printf '%s\\n'");
        foreach (var line in script.TrimEnd('\n').Split('\n'))
        {
            command.Append(' ').Append(Cli.ShellQuote.Quote(line));
        }

        return command.Append(" | ").Append(restore).Append(" --noflush").ToString();
    }

    private static string SourceOf(string masqueradeRule)
    {
        var parts = masqueradeRule.Split(' ');
        var index = Array.IndexOf(parts, "-s");
        return index >= 0 && index + 1 < parts.Length ? parts[index + 1] : masqueradeRule;
    }
}
