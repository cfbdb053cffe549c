using CniV6.Agent.Dataplane;
using CniV6.Agent.Health;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Cluster;

/// <summary>
/// Applies <see cref="PeerPolicy"/> to every sync's state before any controller sees it, so no routing mode, NAT
/// rule or conflist acts on a refused claim. Each refusal is reported once while it lasts (a warning, a counter and,
/// with Kubernetes, an Event on the peer's Node); the gauge says how many are in force now.
/// </summary>
internal sealed partial class PeerScreen(AgentMetrics metrics, IClusterEvents events, ILogger<PeerScreen> logger)
{
    private HashSet<PeerRefusal> _reported = [];

    public ClusterState Screen(ClusterState state, IReadOnlyList<LocalPrefix> localPrefixes)
    {
        var (accepted, refused) = PeerPolicy.Screen(state, localPrefixes);
        var reported = refused.ToHashSet();
        foreach (var refusal in refused.Where(r => !_reported.Contains(r)))
        {
            LogRefused(refusal.Node, refusal.Subject, refusal.Reason);
            metrics.PeerClaimRefused();
            events.Warning(refusal.Node, "CniV6PeerRefused", $"cniv6-agent on {state.LocalNodeName} refuses {refusal.Subject}: {refusal.Reason}");
        }

        foreach (var gone in _reported.Where(r => !reported.Contains(r)))
        {
            LogNoLongerRefused(gone.Node, gone.Subject);
        }

        _reported = reported;
        metrics.PeerClaimsRefusedNow(reported.Count);
        return accepted;
    }
}
