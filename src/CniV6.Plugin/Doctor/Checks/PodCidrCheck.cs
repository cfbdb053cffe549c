using System.Net;
using CniV6.Core.NodeState;
using CniV6.Netlink;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// The conflist's pools against this node's pod CIDRs, as cniv6-agent last recorded them (<see cref="AgentNodeRecord"/>):
/// pods must get addresses from the CIDRs every other node routes to this one. They differ when the conflist was
/// edited by hand, when the agent refused to write the node's new CIDRs (the last good list stays), or when another
/// tool rewrote it. Without an agent record for this network (no agent here) there is nothing to compare.
/// </summary>
internal sealed class PodCidrCheck : IDoctorCheck
{
    public string Name => "pod-cidrs";

    public IEnumerable<DoctorFinding> Run(DoctorContext context) =>
        Evaluate(context.ConfFile?.Path, context.NetworkName, context.Config is null ? null : context.Pools, context.AgentNode, context.AgentNodeProblem, context.NodeState.NodePath);

    /// <param name="pools">The conflist's pools; null when there is no valid configuration.</param>
    internal static IEnumerable<DoctorFinding> Evaluate(string? confPath, string? network, IReadOnlyList<IPNetwork>? pools,
                                                        AgentNodeRecord? record, string? problem, string recordPath)
    {
        const string check = "pod-cidrs";
        if (problem is not null)
        {
            yield return DoctorFinding.Warn(check, $"cniv6-agent's node record is unreadable: {problem}",
                $"rm {Cli.ShellQuote.Quote(recordPath)} and restart cniv6-agent (it writes the record again on its next sync)");
            yield break;
        }

        if (record is null)
        {
            yield return DoctorFinding.Ok(check, $"no cniv6-agent node record ({recordPath}): pools not compared with the node's pod CIDRs");
            yield break;
        }

        if (pools is null || confPath is null || record.Conflist != Path.GetFullPath(confPath) || record.Network != network)
        {
            yield return DoctorFinding.Ok(check,
                $"cniv6-agent manages {record.Conflist} (network {record.Network}), not {confPath ?? "this configuration"}: pools not compared");
            yield break;
        }

        var recorded = new List<IPNetwork>();
        foreach (var text in record.PodCidrs)
        {
            if (!IPNetwork.TryParse(text, out var cidr))
            {
                yield return DoctorFinding.Warn(check, $"cniv6-agent's node record names '{text}', which is no CIDR", $"restart cniv6-agent (it rewrites {recordPath})");
                yield break;
            }

            recorded.Add(cidr);
        }

        var configured = pools.Select(Cidr.Format).Order(StringComparer.Ordinal).ToList();
        var expected = recorded.Select(Cidr.Format).Order(StringComparer.Ordinal).ToList();
        if (configured.SequenceEqual(expected, StringComparer.Ordinal))
        {
            yield return DoctorFinding.Ok(check, $"pools {string.Join(", ", configured)} are node {record.Node}'s pod CIDRs");
            yield break;
        }

        var missing = expected.Except(configured, StringComparer.Ordinal).ToList();
        var extra = configured.Except(expected, StringComparer.Ordinal).ToList();
        var what = string.Join("; ", new[]
        {
            extra.Count > 0 ? $"{string.Join(", ", extra)} in {confPath} but not a pod CIDR of node {record.Node}: other nodes route those addresses elsewhere" : null,
            missing.Count > 0 ? $"pod CIDR {string.Join(", ", missing)} of node {record.Node} not in {confPath}" : null,
        }.OfType<string>());
        yield return DoctorFinding.Fail(check, what,
            $"restart cniv6-agent so it rewrites {confPath} with pools {string.Join(", ", expected)} (if it refuses them, its log says why), then recreate the pods with addresses outside them");
    }
}
