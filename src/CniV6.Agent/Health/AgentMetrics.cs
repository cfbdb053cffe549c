using System.Diagnostics.Metrics;
using CniV6.Agent.Cli;
using CniV6.Agent.Metrics;
using CniV6.Core.Metrics;

namespace CniV6.Agent.Health;

/// <summary>
/// The agent's metrics: System.Diagnostics.Metrics instruments (AOT-safe, in the BCL) under one <see cref="Meter"/>
/// named <see cref="MeterName"/>, collected by a <see cref="MetricsCollector"/> that listens to this instance's meter
/// only and rendered as Prometheus text by <see cref="Render"/>. The methods are what the agent's code calls; each
/// instance has its own meter, so tests that create one see only their own counts.
/// New code with labelled state to export (e.g. per-peer BGP sessions) calls <see cref="CreateGaugeSeries"/> or
/// <see cref="ObserveGauge"/>, or creates its own instrument on <see cref="Meter"/>.
/// </summary>
internal sealed class AgentMetrics : IDisposable
{
    public const string MeterName = "CniV6.Agent";

    /// <summary>Sync passes take milliseconds to seconds; the upper buckets catch a stuck kernel or apiserver call.</summary>
    private static readonly double[] SyncDurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Meter _meter;
    private readonly MetricsCollector _collector;
    private readonly Counter<long> _syncs;
    private readonly Counter<long> _syncFailures;
    private readonly Histogram<double> _syncDuration;
    private readonly Counter<long> _routesAdded;
    private readonly Counter<long> _routesDeleted;
    private readonly Counter<long> _conflistWrites;
    private readonly Counter<long> _watchEvents;
    private readonly Counter<long> _watchRestarts;
    private readonly Counter<long> _relists;
    private readonly Counter<long> _peerClaimsRefused;
    private readonly Counter<long> _routeFailures;
    private readonly Counter<long> _routesNotOwned;
    private readonly Counter<long> _healthBindFailures;
    private readonly Counter<long> _localPoolsRefused;
    private readonly Counter<long> _ipamReclaimed;
    private readonly Counter<long> _ipamReclaimFailures;
    private readonly Gauge<long> _peerClaimsRefusedNow;
    private readonly Gauge<long> _nodes;
    private readonly Gauge<long> _routes;
    private readonly GaugeSeries _routesByMode;
    private readonly Gauge<long> _ready;
    private readonly Gauge<double> _lastSyncSeconds;
    private readonly Gauge<double> _lastSyncUnixSeconds;
    private readonly Gauge<double> _lastChangeToSyncSeconds;
    private readonly Counter<long> _cniOperations;
    private readonly Histogram<double> _cniDuration;
    private readonly Counter<long> _cniErrors;
    private readonly Counter<long> _cniRecordsRejected;
    private readonly Lock _scrapeHooksLock = new();
    private readonly List<Action> _scrapeHooks = [];

    public AgentMetrics()
    {
        _meter = new Meter(MeterName, AgentCommandLine.Version);
        // Listening before the instruments exist: each is enabled as it is created, and the zeros recorded below
        // make every unlabelled series visible from the first scrape, as dashboards and alerts expect.
        _collector = new MetricsCollector(_meter);

        _meter.CreateObservableGauge(
            "cniv6_build_info",
            () => new Measurement<long>(1, new KeyValuePair<string, object?>("version", AgentCommandLine.Version)),
            description: "Always 1; the version label is the agent's build.");
        _syncs = Counter("cniv6_agent_syncs", "Successful dataplane syncs.");
        _syncFailures = Counter("cniv6_agent_sync_failures", "Dataplane syncs that failed and were retried.");
        _syncDuration = _meter.CreateHistogram(
            "cniv6_agent_sync_duration_seconds",
            unit: "s",
            description: "Duration of dataplane sync passes, by result (success, failure).",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SyncDurationBuckets });
        _routesAdded = Counter("cniv6_agent_routes_replaced", "Node routes added or changed.");
        _routesDeleted = Counter("cniv6_agent_routes_deleted", "Node routes removed.");
        _conflistWrites = Counter("cniv6_agent_conflist_writes", "Times the CNI conflist was rewritten.");
        _watchEvents = Counter("cniv6_agent_watch_events", "Node watch events received.");
        _watchRestarts = Counter("cniv6_agent_watch_restarts", "Node watches that failed and were restarted after back-off.");
        _relists = Counter("cniv6_agent_relists", "Full Node lists (start-up and after 410 Gone).");
        _peerClaimsRefused = Counter("cniv6_agent_peer_claims_refused", "Peer addresses and pod CIDRs refused (default routes, overlaps, outside the cluster CIDRs).");
        _peerClaimsRefusedNow = Gauge("cniv6_agent_peer_claims_refused", "Peer addresses and pod CIDRs refused now.");
        _routeFailures = Counter("cniv6_agent_route_failures", "Route changes the kernel refused (the sync went on with the others).");
        _routesNotOwned = Counter("cniv6_agent_routes_not_owned", "Desired routes skipped because another owner's route has that destination.");
        _healthBindFailures = Counter("cniv6_agent_health_bind_failures", "Attempts to bind the health and metrics port that failed (another process holds it); retried with back-off.");
        _localPoolsRefused = Counter("cniv6_agent_local_pools_refused", "Times this node's own pod CIDRs were refused as pools (the plugin would refuse them).");
        _ipamReclaimed = Counter("cniv6_agent_ipam_reclaimed", "Addresses released because their pod's namespace and host veth were gone (no DEL, no GC).");
        _ipamReclaimFailures = Counter("cniv6_agent_ipam_reclaim_failures", "IPAM stores the reclaim pass could not read or write.");
        _nodes = Gauge("cniv6_agent_nodes", "Nodes known.");
        _routes = Gauge("cniv6_agent_routes", "Node routes installed by cniv6.");
        _routesByMode = CreateGaugeSeries("cniv6_agent_mode_routes", "Node routes installed by cniv6, by routing mode.", "mode");
        _ready = Gauge("cniv6_agent_ready", "1 after the first successful sync.");
        _lastSyncSeconds = GaugeOfSeconds("cniv6_agent_last_sync_duration_seconds", "Duration of the last successful sync.");
        _lastSyncUnixSeconds = GaugeOfSeconds("cniv6_agent_last_sync_timestamp_seconds", "Unix time of the last successful sync.");
        _lastChangeToSyncSeconds = GaugeOfSeconds("cniv6_agent_change_to_routes_seconds", "From the last cluster change the agent saw to its routes being in place.");
        _cniOperations = _meter.CreateCounter<long>("cniv6_cni_operations", unit: null, description: "CNI invocations of the plugin on this node's network, by command and result (success, error); VERSION and invocations refused before their configuration was read count for every network.");
        _cniDuration = _meter.CreateHistogram(
            "cniv6_cni_operation_duration_seconds",
            unit: "s",
            description: "Time the plugin took per CNI invocation (from its dispatcher's start to its answer), by command and result.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SyncDurationBuckets });
        _cniErrors = _meter.CreateCounter<long>("cniv6_cni_operation_errors", unit: null, description: "Failed CNI invocations by command and CNI error code.");
        _cniRecordsRejected = Counter("cniv6_cni_operation_records_rejected", "Records in the plugin's operation log that were not valid records (garbage, torn, or skipped because the file grew beyond its bound).");
        ProcessMetrics.Register(_meter);
    }

    /// <summary>The agent's meter: instruments created on it are exported on /metrics (counters get <c>_total</c>).</summary>
    public Meter Meter => _meter;

    public void SyncSucceeded(TimeSpan duration, DateTimeOffset at, TimeSpan? sinceChange)
    {
        _syncs.Add(1);
        _syncDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("result", "success"));
        _lastSyncSeconds.Record(duration.TotalSeconds);
        _lastSyncUnixSeconds.Record(at.ToUnixTimeMilliseconds() / 1000.0);
        if (sinceChange is { } latency)
        {
            _lastChangeToSyncSeconds.Record(latency.TotalSeconds);
        }
    }

    /// <summary>A failed pass; with its duration when the caller measured it.</summary>
    public void SyncFailed(TimeSpan? duration = null)
    {
        _syncFailures.Add(1);
        if (duration is { } took)
        {
            _syncDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("result", "failure"));
        }
    }

    /// <summary>A routing mode's pass: routes it added or changed and removed, and how many it has now.</summary>
    public void RoutesChanged(int added, int deleted, int total, string? mode = null)
    {
        _routesAdded.Add(added);
        _routesDeleted.Add(deleted);
        _routes.Record(total);
        if (mode is not null)
        {
            _routesByMode.Set(total, mode);
        }
    }

    public void ConflistWritten() => _conflistWrites.Add(1);

    public void WatchEvent() => _watchEvents.Add(1);

    public void WatchRestarted() => _watchRestarts.Add(1);

    public void Relisted() => _relists.Add(1);

    public void NodesKnown(int count) => _nodes.Record(count);

    /// <summary>A peer's address or pod CIDR newly refused (counted once while it lasts).</summary>
    public void PeerClaimRefused() => _peerClaimsRefused.Add(1);

    public void PeerClaimsRefusedNow(int count) => _peerClaimsRefusedNow.Record(count);

    /// <summary>One route change the kernel refused; the others in the same sync went ahead.</summary>
    public void RouteFailed() => _routeFailures.Add(1);

    /// <summary>A desired route whose destination already has a route that is not the agent's; left alone.</summary>
    public void RouteNotOwned() => _routesNotOwned.Add(1);

    /// <summary>The health port could not be bound (taken by another process, address not up); retried with back-off.</summary>
    public void HealthBindFailed() => _healthBindFailures.Add(1);

    /// <summary>This node's own pod CIDRs were refused as pools (what the plugin would refuse).</summary>
    public void LocalPoolsRefused() => _localPoolsRefused.Add(1);

    /// <summary>An allocation whose pod namespace and host veth were gone was released by the agent.</summary>
    public void IpamReclaimed() => _ipamReclaimed.Add(1);

    public void IpamReclaimFailed() => _ipamReclaimFailures.Add(1);

    public void SetReady(bool ready) => _ready.Record(ready ? 1 : 0);

    /// <summary>One CNI invocation the plugin recorded (<see cref="CniOperationRecord"/>).</summary>
    public void CniOperation(CniOperationRecord record)
    {
        var command = new KeyValuePair<string, object?>("command", CommandLabel(record.Command));
        var result = new KeyValuePair<string, object?>("result", record.Succeeded ? "success" : "error");
        _cniOperations.Add(1, command, result);
        _cniDuration.Record(record.DurationMicroseconds / 1e6, command, result);
        if (!record.Succeeded)
        {
            _cniErrors.Add(1, command, new KeyValuePair<string, object?>("code", record.Code));
        }
    }

    public void CniOperationRecordsRejected(int count) => _cniRecordsRejected.Add(count);

    /// <summary>
    /// Runs <paramref name="refresh"/> before every scrape (e.g. to read what the plugin appended, or a store whose
    /// state observable gauges report). Keep it cheap; an exception is swallowed so one source never costs the scrape.
    /// </summary>
    public void AddScrapeHook(Action refresh)
    {
        lock (_scrapeHooksLock)
        {
            _scrapeHooks.Add(refresh);
        }
    }

    /// <summary>
    /// A gauge whose labelled series the caller sets and removes (<see cref="GaugeSeries"/>), e.g.
    /// <c>CreateGaugeSeries("cniv6_agent_bgp_session_up", "1 while the BGP session is established.", "peer")</c>
    /// then <c>series.Set(1, peerName)</c>, or <c>ReplaceAll</c> with the peers of this pass.
    /// </summary>
    public GaugeSeries CreateGaugeSeries(string name, string help, params string[] labelNames) => new(_meter, name, help, labelNames);

    /// <summary>
    /// A gauge computed at scrape time: <paramref name="observe"/> runs on the scraping thread, once per scrape, and
    /// returns one measurement per label set (tags are the labels). Keep it cheap and never throwing.
    /// </summary>
    public void ObserveGauge(string name, string help, Func<IEnumerable<Measurement<double>>> observe) =>
        _meter.CreateObservableGauge(name, observe, unit: null, description: help);

    /// <summary>Every metric in the Prometheus text format 0.0.4.</summary>
    public string Render()
    {
        Action[] hooks;
        lock (_scrapeHooksLock)
        {
            hooks = [.. _scrapeHooks];
        }

        foreach (var hook in hooks)
        {
            try
            {
                hook();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A source that failed shows its last values; its own code logs why.
            }
        }

        return PrometheusTextRenderer.Render(_collector.Collect());
    }

    private static string CommandLabel(CniOperationCommand command) => command switch
    {
        CniOperationCommand.Add => "ADD",
        CniOperationCommand.Del => "DEL",
        CniOperationCommand.Check => "CHECK",
        CniOperationCommand.Gc => "GC",
        CniOperationCommand.Status => "STATUS",
        CniOperationCommand.Version => "VERSION",
        _ => "other",
    };

    public void Dispose()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    private Counter<long> Counter(string name, string help)
    {
        var counter = _meter.CreateCounter<long>(name, unit: null, description: help);
        counter.Add(0);
        return counter;
    }

    private Gauge<long> Gauge(string name, string help)
    {
        var gauge = _meter.CreateGauge<long>(name, unit: null, description: help);
        gauge.Record(0);
        return gauge;
    }

    private Gauge<double> GaugeOfSeconds(string name, string help)
    {
        var gauge = _meter.CreateGauge<double>(name, unit: "s", description: help);
        gauge.Record(0);
        return gauge;
    }
}
