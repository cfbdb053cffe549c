using System.Net;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane;

/// <summary>
/// Makes the node match the newest cluster state: forwarding sysctls, the plugin binary, the conflist, the
/// masquerade chains and the host-gw routes. Runs on every change and every resync interval (to repair drift);
/// a failed sync is retried with back-off. On shutdown nothing is undone, so pods keep their network while the
/// agent restarts or is upgraded.
/// </summary>
internal sealed partial class DataplaneReconciler(
    AgentOptions options,
    ClusterStateStore store,
    INodeRouteTable routeTable,
    IMasqueradeControl masquerade,
    IForwardingControl forwarding,
    AgentHealth health,
    AgentMetrics metrics,
    TimeProvider time,
    ILogger<DataplaneReconciler> logger) : BackgroundService
{
    private const int FallbackMtu = 1500;
    private const UnixFileMode ConflistMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly Backoff _retry = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
    private readonly string _conflistPath = Path.Combine(options.CniConfDir, options.CniConfFileName);
    private bool _pluginChecked;
    private HashSet<string> _reportedUnroutable = [];
    private (IReadOnlyList<IPNetwork> Pools, IReadOnlyList<IPNetwork> Excludes)? _lastMasqueradeInputs;
    private DateTimeOffset _lastSyncedChange;

    /// <summary>How long start-up waits for the first sync before the host reports itself started anyway.</summary>
    internal TimeSpan StartupWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Holds the host's "started" (and with it systemd's Type=notify READY=1) until the first sync, so units
    /// ordered after cniv6-agent find the conflist and routes in place. Bounded, so an unreachable apiserver
    /// delays readiness instead of failing the start.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await health.FirstSync.WaitAsync(StartupWait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogStartedBeforeFirstSync(StartupWait.TotalSeconds);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wait = options.ResyncInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            health.Heartbeat();
            bool changed;
            try
            {
                changed = await store.WaitForChangeAsync(wait, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (store.Current is not { } state)
            {
                wait = options.ResyncInterval;
                continue;
            }

            try
            {
                // A timed-out wait is the periodic resync: re-assert everything, including what seems unchanged.
                Sync(state, full: !changed || _retry.Failures > 0);
                _retry.Reset();
                wait = options.ResyncInterval;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                metrics.SyncFailed();
                wait = _retry.NextDelay();
                LogSyncFailed(e, wait.TotalSeconds);
            }
        }

        LogStopping();
    }

    /// <summary>One full pass; every step is idempotent, so a pass after a failure simply starts over.</summary>
    internal void Sync(ClusterState state, bool full = true)
    {
        var started = time.GetTimestamp();
        var changeSeen = store.LastChange;

        InstallPluginOnce();
        foreach (var key in forwarding.Enable(state.UsesIPv6, state.UsesIPv4))
        {
            LogSysctlChanged(key);
        }

        var prefixes = routeTable.ListLocalPrefixes();
        var conflist = ConflistRenderer.Render(options, state, options.Mtu ?? DetectMtu(state, prefixes));
        if (AtomicFile.WriteIfChanged(_conflistPath, conflist, ConflistMode))
        {
            metrics.ConflistWritten();
            LogConflistWritten(_conflistPath, state.LocalPools);
        }

        var unroutable = new List<string>();
        var desired = DesiredRoutes.Compute(state, prefixes, unroutable);
        foreach (var reason in unroutable.Where(r => !_reportedUnroutable.Contains(r)))
        {
            LogUnroutable(reason);
        }

        _reportedUnroutable = [.. unroutable];

        var plan = RoutePlan.Compute(routeTable.ListOwnedRoutes(), desired);
        foreach (var route in plan.ToDelete)
        {
            routeTable.Delete(route);
            LogRouteDeleted(route);
        }

        foreach (var route in plan.ToReplace)
        {
            routeTable.Replace(route);
            LogRouteReplaced(route);
        }

        metrics.RoutesChanged(plan.ToReplace.Count, plan.ToDelete.Count, desired.Count);
        TimeSpan? sinceChange = changeSeen != _lastSyncedChange ? time.GetUtcNow() - changeSeen : null;
        _lastSyncedChange = changeSeen;

        // Routes before NAT: iptables is the slow part of a sync, and a new node's pods cannot talk yet (its own
        // agent has to sync before its first pod gets network), so its exclusion can follow a moment later. Between
        // resyncs iptables only runs when its inputs changed.
        var masqueradeInputs = (state.LocalPools, state.ClusterPodCidrs);
        if (options.IpMasq && (full || !SameMasqueradeInputs(masqueradeInputs)))
        {
            masquerade.Ensure(options.NetworkName, masqueradeInputs.LocalPools, masqueradeInputs.ClusterPodCidrs, verify: full);
            _lastMasqueradeInputs = masqueradeInputs;
        }

        metrics.SyncSucceeded(time.GetElapsedTime(started), time.GetUtcNow(), sinceChange);
        if (!health.IsReady)
        {
            health.MarkReady();
            metrics.SetReady(true);
            LogReady(desired.Count);
        }
    }

    private bool SameMasqueradeInputs((IReadOnlyList<IPNetwork> Pools, IReadOnlyList<IPNetwork> Excludes) inputs) =>
        _lastMasqueradeInputs is { } last && last.Pools.SequenceEqual(inputs.Pools) && last.Excludes.SequenceEqual(inputs.Excludes);

    private void InstallPluginOnce()
    {
        if (_pluginChecked || options.PluginSource is null)
        {
            return;
        }

        if (!File.Exists(options.PluginSource))
        {
            LogPluginSourceMissing(options.PluginSource);
        }
        else if (PluginInstaller.Install(options.PluginSource, options.CniBinDir))
        {
            LogPluginInstalled(options.CniBinDir);
        }

        _pluginChecked = true;
    }

    /// <summary>
    /// Pods get the MTU of the link that carries this node's own address (the segment pod traffic leaves by), or
    /// failing that of the link that reaches the peers.
    /// </summary>
    private static int DetectMtu(ClusterState state, IReadOnlyList<LocalPrefix> prefixes)
    {
        var self = state.Nodes.FirstOrDefault(n => n.Name == state.LocalNodeName);
        var own = self?.InternalAddresses.Select(a => prefixes.FirstOrDefault(p => p.Address.Equals(a))).OfType<LocalPrefix>().FirstOrDefault();
        if (own is not null)
        {
            return own.Mtu;
        }

        var peerAddresses = state.Nodes.Where(n => n.Name != state.LocalNodeName).SelectMany(n => n.InternalAddresses);
        var toPeers = peerAddresses.Select(a => prefixes.FirstOrDefault(p => p.Prefix.Contains(a))).OfType<LocalPrefix>().FirstOrDefault();
        return toPeers?.Mtu ?? FallbackMtu;
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Ready: dataplane synced with {Routes} node routes")]
    private partial void LogReady(int routes);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Sync failed; retrying in {DelaySeconds:F1} s")]
    private partial void LogSyncFailed(Exception exception, double delaySeconds);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Wrote {Path} (pools {Pools})")]
    private partial void LogConflistWritten(string path, IReadOnlyList<IPNetwork> pools);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Route {Route} installed")]
    private partial void LogRouteReplaced(NodeRoute route);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Route {Route} removed")]
    private partial void LogRouteDeleted(NodeRoute route);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "No route for {Reason}")]
    private partial void LogUnroutable(string reason);

    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "Installed the cniv6 plugin into {BinDir}")]
    private partial void LogPluginInstalled(string binDir);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Plugin source {Path} does not exist; not installing the plugin")]
    private partial void LogPluginSourceMissing(string path);

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "No successful sync within {Seconds} s of start; continuing to try")]
    private partial void LogStartedBeforeFirstSync(double seconds);

    [LoggerMessage(EventId = 209, Level = LogLevel.Information, Message = "Set sysctl {Key}")]
    private partial void LogSysctlChanged(string key);

    [LoggerMessage(EventId = 208, Level = LogLevel.Information, Message = "Stopping; routes, NAT rules and the conflist stay in place")]
    private partial void LogStopping();
}
