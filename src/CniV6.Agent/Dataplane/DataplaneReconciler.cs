using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
using CniV6.Agent.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane;

/// <summary>
/// The shell around the dataplane controllers: on every change and every resync interval (to repair drift) it runs
/// each controller in order; a failed sync stops at the failing controller and is retried with back-off. It owns
/// readiness (after the first complete sync) and the sync metrics; what is synced belongs to the controllers.
/// On shutdown nothing is undone, so pods keep their network while the agent restarts or is upgraded.
/// </summary>
internal sealed partial class DataplaneReconciler(
    AgentOptions options,
    IEnumerable<IDataplaneController> controllers,
    ILocalPrefixReader localPrefixes,
    PeerScreen peers,
    ClusterStateStore store,
    AgentHealth health,
    AgentMetrics metrics,
    TimeProvider time,
    ILogger<DataplaneReconciler> logger) : BackgroundService
{
    private readonly IDataplaneController[] _controllers = [.. controllers];
    private readonly string _controllerNames = string.Join(", ", controllers.Select(c => c.Name));
    private readonly Backoff _retry = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));

    // Retries come every 0.2 s at first and every 30 s at most: one line per kind of failure, not one per retry.
    private readonly RepeatedFailure _failures = new(time);
    private DateTimeOffset _lastSyncedChange;

    /// <summary>How long start-up waits for the first sync before the host reports itself started anyway.</summary>
    internal TimeSpan StartupWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The controllers in the order a sync runs them.</summary>
    internal IReadOnlyList<IDataplaneController> Controllers => _controllers;

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
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // SIGTERM before the first sync: the host is stopping, which is no failure of the start.
            LogStoppedBeforeFirstSync();
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

            var started = time.GetTimestamp();
            try
            {
                // A timed-out wait is the periodic resync: re-assert everything, including what seems unchanged.
                Sync(state, full: !changed || _retry.Failures > 0);
                _retry.Reset();
                wait = options.ResyncInterval;
                if (_failures.Recover() is > 0 and var failures)
                {
                    LogSyncRecovered(failures);
                }
            }
            catch (DataplaneSyncException e)
            {
                metrics.SyncFailed(time.GetElapsedTime(started));
                wait = _retry.NextDelay();
                ReportSyncFailure(e.Controller, ExceptionText.OneLine(e.InnerException!), wait);
            }
        }

        LogStopping();
    }

    /// <summary>
    /// One pass over every controller in order. Each is idempotent, so a pass after a failure simply starts over;
    /// the first failure ends the pass (later controllers may depend on earlier ones: no conflist before the
    /// plugin it names is installed) and is thrown as a <see cref="DataplaneSyncException"/> naming the controller.
    /// </summary>
    internal void Sync(ClusterState state, bool full = true)
    {
        var started = time.GetTimestamp();
        var changeSeen = store.LastChange;

        var links = Run("links", localPrefixes.ListLocalPrefixes);

        // Peers' claims are checked before any controller sees them: what is refused never becomes a route, a
        // masquerade exclusion or a conflist entry, and one bad peer does not fail the sync for the others.
        var sync = new SyncContext(Run("peers", () => peers.Screen(state, links)), links, full);
        foreach (var controller in _controllers)
        {
            Run(controller.Name, () => controller.Reconcile(sync));
        }

        TimeSpan? sinceChange = changeSeen != _lastSyncedChange ? time.GetUtcNow() - changeSeen : null;
        _lastSyncedChange = changeSeen;
        metrics.SyncSucceeded(time.GetElapsedTime(started), time.GetUtcNow(), sinceChange);
        if (!health.IsReady)
        {
            health.MarkReady();
            metrics.SetReady(true);
            LogReady(_controllerNames);
        }
    }

    private void ReportSyncFailure(string controller, string error, TimeSpan wait)
    {
        switch (_failures.Record($"{controller}: {error}"))
        {
            case FailureVerdict.First:
                LogSyncFailed(controller, error, wait.TotalSeconds);
                break;
            case FailureVerdict.StillFailing:
                LogSyncStillFailing(controller, _failures.Count, error);
                break;
        }
    }

    private static void Run(string name, Action step) => Run(name, () =>
    {
        step();
        return true;
    });

    private static T Run<T>(string name, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DataplaneSyncException(name, e);
        }
    }
}
