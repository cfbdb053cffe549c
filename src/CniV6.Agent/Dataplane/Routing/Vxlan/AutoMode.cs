using CniV6.Agent.Health;
using CniV6.Core.NodeState;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Routing.Vxlan;

/// <summary>
/// <c>auto</c> (the default): per peer and per pod CIDR family, a direct route when the peer's address of that family
/// is on a segment this node is attached to (host-gw, no encapsulation), the VXLAN tunnel to every other peer
/// (Calico's CrossSubnet, flannel's DirectRouting). Recomputed on every sync, so a peer that moves subnet changes path.
/// </summary>
internal sealed class AutoMode(IVxlanDataplane kernel, VxlanOptions options, AgentMetrics metrics, ILogger<AutoMode> logger,
                                 NodeStateFiles? nodeState = null) : IRoutingMode
{
    public const string ModeName = "auto";

    private readonly OverlayRouting _overlay = new(kernel, options, metrics, logger, ModeName, nodeState);

    public string Name => ModeName;

    public int PodMtuOverhead(SyncContext sync) => _overlay.PodMtuOverhead(sync.State, sync.LocalPrefixes, tunnelAll: false);

    public void Reconcile(SyncContext sync) => _overlay.Reconcile(sync.State, sync.LocalPrefixes, tunnelAll: false, sync.Full);

    public void Remove() => _overlay.Remove();
}
