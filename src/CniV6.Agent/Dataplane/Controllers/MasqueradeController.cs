using System.Net;
using CniV6.Agent.Configuration;

namespace CniV6.Agent.Dataplane.Controllers;

/// <summary>
/// The network's MASQUERADE chains: pod traffic leaving the cluster takes the node's address, traffic between
/// pods keeps its source. Runs after pod routing: iptables is the slow part of a sync, and a new node's pods cannot
/// talk yet (its own agent has to sync before its first pod gets network), so its exclusion can follow a moment
/// later. Between full passes iptables only runs when its inputs changed.
/// </summary>
internal sealed class MasqueradeController(AgentOptions options, IMasqueradeControl masquerade) : IDataplaneController
{
    private (IReadOnlyList<IPNetwork> Pools, IReadOnlyList<IPNetwork> Excludes)? _applied;

    public string Name => "masquerade";

    public void Reconcile(SyncContext sync)
    {
        if (!options.IpMasq)
        {
            return;
        }

        var pools = sync.State.LocalPools;
        var excludes = sync.State.ClusterPodCidrs;
        if (!sync.Full && _applied is { } last && last.Pools.SequenceEqual(pools) && last.Excludes.SequenceEqual(excludes))
        {
            return;
        }

        masquerade.Ensure(options.NetworkName, pools, excludes, verify: sync.Full);
        _applied = (pools, excludes);
    }
}
