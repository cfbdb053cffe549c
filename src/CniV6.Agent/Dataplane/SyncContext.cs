using CniV6.Agent.Cluster;

namespace CniV6.Agent.Dataplane;

/// <summary>What every controller sees in one sync: the cluster, this node's own links, and whether it is a full pass.</summary>
/// <param name="State">The newest cluster state.</param>
/// <param name="LocalPrefixes">This node's global addresses with their on-link prefixes and link MTUs, read once per sync.</param>
/// <param name="Full">
/// A periodic resync or a retry after a failure: re-verify live state that is otherwise trusted between syncs
/// (e.g. the NAT chains), because someone else may have changed it.
/// </param>
internal sealed record SyncContext(ClusterState State, IReadOnlyList<LocalPrefix> LocalPrefixes, bool Full);
