namespace CniV6.Core.NodeState;

/// <summary>
/// What cniv6-agent last wrote for this node, for <c>cniv6 doctor</c> to compare the node against: the conflist it
/// manages and the node's pod CIDRs it rendered into it, and how long its IPAM reclaim waits (null: reclaim off).
/// Written by the agent's conflist controller after every sync that accepted the node's pod CIDRs.
/// </summary>
/// <param name="Node">The Kubernetes node name.</param>
/// <param name="Conflist">The full path of the conflist the agent writes.</param>
/// <param name="Network">The network name in that conflist.</param>
/// <param name="PodCidrs">This node's pod CIDRs (its pools), in the order the conflist lists them.</param>
/// <param name="IpamReclaimGraceSeconds">The reclaim's grace period; null when the agent does not reclaim.</param>
public sealed record AgentNodeRecord(
    string Node,
    string Conflist,
    string Network,
    IReadOnlyList<string> PodCidrs,
    double? IpamReclaimGraceSeconds);
