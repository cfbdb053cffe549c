using System.Globalization;
using System.Text;

namespace CniV6.Agent.Health;

/// <summary>
/// The agent's counters and gauges, rendered in the Prometheus text exposition format. Written from the
/// reconciler and informer, read by the health server; plain fields with Interlocked/Volatile are enough here.
/// </summary>
internal sealed class AgentMetrics
{
    private long _syncs;
    private long _syncFailures;
    private long _routesAdded;
    private long _routesDeleted;
    private long _conflistWrites;
    private long _watchEvents;
    private long _watchRestarts;
    private long _relists;
    private long _nodes;
    private long _routes;
    private long _ready;
    private long _peerClaimsRefused;
    private long _peerClaimsRefusedNow;
    private long _routeFailures;
    private long _routesNotOwned;
    private long _healthBindFailures;
    private long _localPoolsRefused;
    private long _ipamReclaimed;
    private long _ipamReclaimFailures;
    private double _lastSyncSeconds;
    private double _lastSyncUnixSeconds;
    private double _lastChangeToSyncSeconds;

    public void SyncSucceeded(TimeSpan duration, DateTimeOffset at, TimeSpan? sinceChange)
    {
        Interlocked.Increment(ref _syncs);
        Volatile.Write(ref _lastSyncSeconds, duration.TotalSeconds);
        Volatile.Write(ref _lastSyncUnixSeconds, at.ToUnixTimeMilliseconds() / 1000.0);
        if (sinceChange is { } latency)
        {
            Volatile.Write(ref _lastChangeToSyncSeconds, latency.TotalSeconds);
        }
    }

    public void SyncFailed() => Interlocked.Increment(ref _syncFailures);

    public void RoutesChanged(int added, int deleted, int total)
    {
        Interlocked.Add(ref _routesAdded, added);
        Interlocked.Add(ref _routesDeleted, deleted);
        Interlocked.Exchange(ref _routes, total);
    }

    public void ConflistWritten() => Interlocked.Increment(ref _conflistWrites);

    public void WatchEvent() => Interlocked.Increment(ref _watchEvents);

    public void WatchRestarted() => Interlocked.Increment(ref _watchRestarts);

    public void Relisted() => Interlocked.Increment(ref _relists);

    public void NodesKnown(int count) => Interlocked.Exchange(ref _nodes, count);

    /// <summary>A peer's address or pod CIDR newly refused (counted once while it lasts).</summary>
    public void PeerClaimRefused() => Interlocked.Increment(ref _peerClaimsRefused);

    public void PeerClaimsRefusedNow(int count) => Interlocked.Exchange(ref _peerClaimsRefusedNow, count);

    /// <summary>One route change the kernel refused; the others in the same sync went ahead.</summary>
    public void RouteFailed() => Interlocked.Increment(ref _routeFailures);

    /// <summary>A desired route whose destination already has a route that is not the agent's; left alone.</summary>
    public void RouteNotOwned() => Interlocked.Increment(ref _routesNotOwned);

    /// <summary>The health port could not be bound (taken by another process, address not up); retried with back-off.</summary>
    public void HealthBindFailed() => Interlocked.Increment(ref _healthBindFailures);

    /// <summary>This node's own pod CIDRs were refused as pools (what the plugin would refuse).</summary>
    public void LocalPoolsRefused() => Interlocked.Increment(ref _localPoolsRefused);

    /// <summary>An allocation whose pod namespace and host veth were gone was released by the agent.</summary>
    public void IpamReclaimed() => Interlocked.Increment(ref _ipamReclaimed);

    public void IpamReclaimFailed() => Interlocked.Increment(ref _ipamReclaimFailures);

    public void SetReady(bool ready) => Interlocked.Exchange(ref _ready, ready ? 1 : 0);

    public string Render()
    {
        var text = new StringBuilder(2048);
        Counter(text, "cniv6_agent_syncs_total", "Successful dataplane syncs.", Interlocked.Read(ref _syncs));
        Counter(text, "cniv6_agent_sync_failures_total", "Dataplane syncs that failed and were retried.", Interlocked.Read(ref _syncFailures));
        Counter(text, "cniv6_agent_routes_replaced_total", "Node routes added or changed.", Interlocked.Read(ref _routesAdded));
        Counter(text, "cniv6_agent_routes_deleted_total", "Node routes removed.", Interlocked.Read(ref _routesDeleted));
        Counter(text, "cniv6_agent_conflist_writes_total", "Times the CNI conflist was rewritten.", Interlocked.Read(ref _conflistWrites));
        Counter(text, "cniv6_agent_watch_events_total", "Node watch events received.", Interlocked.Read(ref _watchEvents));
        Counter(text, "cniv6_agent_watch_restarts_total", "Node watches that failed and were restarted after back-off.", Interlocked.Read(ref _watchRestarts));
        Counter(text, "cniv6_agent_relists_total", "Full Node lists (start-up and after 410 Gone).", Interlocked.Read(ref _relists));
        Counter(text, "cniv6_agent_peer_claims_refused_total", "Peer addresses and pod CIDRs refused (default routes, overlaps, outside the cluster CIDRs).", Interlocked.Read(ref _peerClaimsRefused));
        Gauge(text, "cniv6_agent_peer_claims_refused", "Peer addresses and pod CIDRs refused now.", Interlocked.Read(ref _peerClaimsRefusedNow));
        Counter(text, "cniv6_agent_route_failures_total", "Route changes the kernel refused (the sync went on with the others).", Interlocked.Read(ref _routeFailures));
        Counter(text, "cniv6_agent_routes_not_owned_total", "Desired routes skipped because another owner's route has that destination.", Interlocked.Read(ref _routesNotOwned));
        Counter(text, "cniv6_agent_health_bind_failures_total", "Attempts to bind the health and metrics port that failed (another process holds it); retried with back-off.", Interlocked.Read(ref _healthBindFailures));
        Counter(text, "cniv6_agent_local_pools_refused_total", "Times this node's own pod CIDRs were refused as pools (the plugin would refuse them).", Interlocked.Read(ref _localPoolsRefused));
        Counter(text, "cniv6_agent_ipam_reclaimed_total", "Addresses released because their pod's namespace and host veth were gone (no DEL, no GC).", Interlocked.Read(ref _ipamReclaimed));
        Counter(text, "cniv6_agent_ipam_reclaim_failures_total", "IPAM stores the reclaim pass could not read or write.", Interlocked.Read(ref _ipamReclaimFailures));
        Gauge(text, "cniv6_agent_nodes", "Nodes known.", Interlocked.Read(ref _nodes));
        Gauge(text, "cniv6_agent_routes", "Node routes installed by cniv6.", Interlocked.Read(ref _routes));
        Gauge(text, "cniv6_agent_ready", "1 after the first successful sync.", Interlocked.Read(ref _ready));
        Gauge(text, "cniv6_agent_last_sync_duration_seconds", "Duration of the last successful sync.", Volatile.Read(ref _lastSyncSeconds));
        Gauge(text, "cniv6_agent_last_sync_timestamp_seconds", "Unix time of the last successful sync.", Volatile.Read(ref _lastSyncUnixSeconds));
        Gauge(text, "cniv6_agent_change_to_routes_seconds", "From the last cluster change the agent saw to its routes being in place.", Volatile.Read(ref _lastChangeToSyncSeconds));
        Gauge(text, "process_resident_memory_bytes", "Resident set size.", Environment.WorkingSet);
        return text.ToString();
    }

    private static void Counter(StringBuilder text, string name, string help, double value) => Write(text, name, help, "counter", value);

    private static void Gauge(StringBuilder text, string name, string help, double value) => Write(text, name, help, "gauge", value);

    private static void Write(StringBuilder text, string name, string help, string type, double value) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n')
            .Append(name).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
}
