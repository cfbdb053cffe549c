using CniV6.Agent.Health;
using CniV6.Core.NodeState;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Routing.Vxlan;

/// <summary>
/// <c>vxlan</c>: every peer's pod CIDRs through the kernel's VXLAN device of the underlay family both nodes share
/// (IPv6 first), whether or not the peer is on a segment this node is attached to. For networks that deliver
/// packets only by their destination address (cloud VPCs) everywhere, or to keep one path for all peers.
/// </summary>
internal sealed class VxlanMode(IVxlanDataplane kernel, VxlanOptions options, AgentMetrics metrics, ILogger<VxlanMode> logger,
                                 NodeStateFiles? nodeState = null) : IRoutingMode
{
    public const string ModeName = "vxlan";

    private readonly OverlayRouting _overlay = new(kernel, options, metrics, logger, ModeName, nodeState);

    public string Name => ModeName;

    public int PodMtuOverhead(SyncContext sync) => _overlay.PodMtuOverhead(sync.State, sync.LocalPrefixes, tunnelAll: true);

    public void Reconcile(SyncContext sync) => _overlay.Reconcile(sync.State, sync.LocalPrefixes, tunnelAll: true, sync.Full);

    public void Remove() => _overlay.Remove();
}
