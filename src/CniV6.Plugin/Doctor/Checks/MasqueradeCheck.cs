using System.Net.Sockets;
using System.Text;
using CniV6.Core.Nat;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// Outbound NAT from the live rules of the node's masquerade backend (the one the plugin would choose,
/// <see cref="MasqueradeBackends"/>), never the plugin's markers. nftables: the network's chain in <c>table inet cniv6</c>,
/// listed in-process, holds exactly the rules its pools call for; the fix is the transaction the backend itself would
/// run. iptables, per family the pools use (<c>*-save -t nat</c>): the nat table exists, and the network's
/// <c>CNIV6-MASQ-…</c> chain holds exactly its rules and is jumped to once from POSTROUTING; the fix is the restore
/// script the backend would apply.
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

        var plan = MasqueradePlan.For(config.Name, config.Ipam.Pools, config.MasqueradeExclude);
        var backend = MasqueradeBackends.NameForNode(config.NatBackend);
        if (backend == NatBackendRecord.Nftables)
        {
            yield return EvaluateNftables(plan);
            yield break;
        }

        var runner = new ProcessIptablesRunner(CommandTimeout);
        var variant = backend == NatBackendRecord.IptablesLegacy ? IptablesVariant.Legacy : IptablesVariant.Nft;
        foreach (var family in plan.Families)
        {
            var commands = new IptablesCommands(variant, family.Family);
            var saved = runner.Run(commands.Save, ["-t", "nat"], null);
            yield return Evaluate(IptablesMasqueradeChain.For(plan, family), commands, saved);
        }
    }

    /// <summary>The network's chain in our nftables table, listed live through libnftables.</summary>
    internal static DoctorFinding EvaluateNftables(MasqueradePlan plan)
    {
        const string check = "nat";
        var desired = NftablesMasqueradeChain.For(plan);
        if (desired is null)
        {
            return DoctorFinding.Ok(check, $"network {plan.Network} has no pools to masquerade");
        }

        if (!Nftables.IsAvailable)
        {
            return DoctorFinding.Fail(check, "the nftables NAT backend is selected but libnftables.so.1 is not installed",
                "apt-get install libnftables1   # or set \"natBackend\": \"iptables\"");
        }

        IReadOnlyList<string> problems;
        try
        {
            using var nft = Nftables.Open();
            problems = [.. desired.Problems(NftablesMasqueradeBackend.Chains(nft).GetValueOrDefault(desired.Chain))];
        }
        catch (NftablesException e)
        {
            return DoctorFinding.Fail(check, $"nftables: {e.Message}", "modprobe nf_tables nft_chain_nat nft_masq   # or set \"natBackend\": \"iptables\"");
        }

        if (problems.Count == 0)
        {
            return DoctorFinding.Ok(check,
                $"nftables chain {desired.Chain} of table inet {NftablesMasqueradeBackend.Table} masquerades {string.Join(", ", plan.Families.SelectMany(f => f.Sources))} (postrouting, priority 110)");
        }

        return DoctorFinding.Fail(check, string.Join("; ", problems), $"{NftCommand(desired.ReplaceScript())}   # or restart the agent");
    }

    /// <summary>A one-line shell command feeding <paramref name="script"/> to <c>nft -f -</c> (one transaction).</summary>
    internal static string NftCommand(string script)
    {
        var command = new StringBuilder("printf '%s\\n'");
        foreach (var line in script.TrimEnd('\n').Split('\n'))
        {
            command.Append(' ').Append(Cli.ShellQuote.Quote(line));
        }

        return command.Append(" | nft -f -").ToString();
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
