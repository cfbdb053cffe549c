using System.Net;
using System.Net.Sockets;

namespace CniV6.Agent.Cluster;

/// <summary>
/// One consistent view of the cluster from this node's point of view: its own pools and every node (itself
/// included). Value equality lets sources publish on every event while the dataplane only reacts to real changes.
/// </summary>
internal sealed record ClusterState(string LocalNodeName, IReadOnlyList<IPNetwork> LocalPools, IReadOnlyList<ClusterNode> Nodes,
                                    IReadOnlyList<IPNetwork> ExtraMasqueradeExcludes)
{
    public static ClusterState Create(string localNodeName, IEnumerable<IPNetwork> localPools, IEnumerable<ClusterNode> nodes,
                                      IEnumerable<IPNetwork>? extraMasqueradeExcludes = null) =>
        new(localNodeName,
            localPools.ToArray(),
            nodes.OrderBy(n => n.Name, StringComparer.Ordinal).ToArray(),
            (extraMasqueradeExcludes ?? []).ToArray());

    public bool UsesIPv6 => LocalPools.Any(p => p.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6);

    public bool UsesIPv4 => LocalPools.Any(p => p.BaseAddress.AddressFamily == AddressFamily.InterNetwork);

    /// <summary>
    /// The cluster's pod CIDRs as configured (or learned from the cluster's own configuration), never from what a
    /// node claims: every peer pod CIDR must lie inside one of them. Empty when unknown.
    /// </summary>
    public IReadOnlyList<IPNetwork> ClusterCidrs { get; init; } = [];

    /// <summary>
    /// Where traffic is pod-to-pod and keeps its source: the cluster CIDRs when known (so a peer cannot widen the
    /// exclusions and the list does not grow with the node count), else the pod CIDRs of the nodes that passed
    /// the peer checks; plus this node's pools and configured extras.
    /// </summary>
    public IReadOnlyList<IPNetwork> ClusterPodCidrs =>
        (ClusterCidrs.Count > 0 ? ClusterCidrs : Nodes.SelectMany(n => n.PodCidrs)).Concat(LocalPools).Concat(ExtraMasqueradeExcludes)
             .Distinct()
             .OrderBy(c => c.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 0 : 1)
             .ThenBy(c => c.ToString(), StringComparer.Ordinal)
             .ToArray();

    public bool Equals(ClusterState? other) =>
        other is not null
        && LocalNodeName == other.LocalNodeName
        && LocalPools.SequenceEqual(other.LocalPools)
        && Nodes.SequenceEqual(other.Nodes)
        && ExtraMasqueradeExcludes.SequenceEqual(other.ExtraMasqueradeExcludes)
        && ClusterCidrs.SequenceEqual(other.ClusterCidrs);

    public override int GetHashCode() => HashCode.Combine(LocalNodeName, LocalPools.Count, Nodes.Count);
}
