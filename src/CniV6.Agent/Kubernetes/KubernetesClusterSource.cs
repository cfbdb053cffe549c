using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
using CniV6.Agent.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Kubernetes;

/// <summary>
/// A Node informer: lists all Nodes, then watches from the list's resourceVersion; re-lists when the server says
/// 410 Gone (the version fell out of its window), reconnects with bounded back-off when the connection fails, and
/// publishes this node's pools plus every node's addresses and pod CIDRs after each event.
/// </summary>
internal sealed partial class KubernetesClusterSource(
    AgentOptions options,
    INodeApi api,
    ClusterStateStore store,
    AgentMetrics metrics,
    IClusterEvents events,
    TimeProvider time,
    ILogger<KubernetesClusterSource> logger) : BackgroundService
{
    private readonly Dictionary<string, ClusterNode> _nodes = new(StringComparer.Ordinal);
    private bool _waitingLogged;
    private IReadOnlyList<string> _selfPodCidrs = [];
    private string? _refusedPoolsReported;

    // An unreachable apiserver fails every retry the same way: one line for it, not one per retry.
    private readonly RepeatedFailure _failures = new(time);

    /// <summary>Server-side watch length; the apiserver caps it anyway (min-request-timeout, default 30 min).</summary>
    internal TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    internal Backoff Backoff { get; init; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? resourceVersion = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = time.GetTimestamp();
            var events = 0;
            try
            {
                if (resourceVersion is null)
                {
                    // No back-off reset here: a list that succeeds but is followed at once by unusable data must not
                    // start a list-per-half-second loop. The first event applied resets it.
                    resourceVersion = await ListAsync(stoppingToken).ConfigureAwait(false);
                    if (_failures.Recover() is > 0 and var failures)
                    {
                        LogWatchRecovered(failures);
                    }
                }

                await foreach (var change in api.WatchAsync(resourceVersion, WatchTimeout, stoppingToken).ConfigureAwait(false))
                {
                    events++;
                    metrics.WatchEvent();
                    if (change.IsGone)
                    {
                        LogGone(resourceVersion);
                        resourceVersion = null;
                        break;
                    }

                    if (change.Type == NodeWatchEvent.Error)
                    {
                        // As client-go's reflector: an error event ends this watch and the next attempt lists
                        // afresh, rather than asking for the same resourceVersion that just failed.
                        resourceVersion = null;
                        throw new KubernetesApiException((System.Net.HttpStatusCode)(change.Status?.Code ?? 500),
                                                         $"watch error: {change.Status?.Reason} {change.Status?.Message}");
                    }

                    resourceVersion = Apply(change) ?? resourceVersion;
                    Backoff.Reset();
                }

                // A watch the server closed at once without events (e.g. a proxy in the way) must not spin.
                if (events == 0 && time.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
                {
                    await Task.Delay(Backoff.NextDelay(), time, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (KubernetesApiException e) when (e.IsGone)
            {
                LogGone(resourceVersion ?? "");
                resourceVersion = null;
            }
            catch (KubernetesDataException e)
            {
                // A malformed event would come again on a watch from the same resourceVersion, for ever; an
                // oversized line or list is no better on a retry. So: list afresh, after back-off.
                resourceVersion = null;
                var delay = Backoff.NextDelay();
                metrics.WatchRestarted();
                if (_failures.Record($"data: {e.Message}") == FailureVerdict.First)
                {
                    LogUnusableData(e.Message, delay.TotalSeconds);
                }

                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                var delay = Backoff.NextDelay();
                metrics.WatchRestarted();
                var error = ExceptionText.OneLine(e);
                switch (_failures.Record(error))
                {
                    case FailureVerdict.First:
                        LogWatchFailed(error, delay.TotalSeconds);
                        break;
                    case FailureVerdict.StillFailing:
                        LogWatchStillFailing(_failures.Count, error);
                        break;
                }

                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var list = await api.ListAsync(cancellationToken).ConfigureAwait(false);
        metrics.Relisted();
        _nodes.Clear();
        _selfPodCidrs = [];
        foreach (var node in list.Items ?? [])
        {
            Remember(node);
        }

        var resourceVersion = list.Metadata?.ResourceVersion ?? "";
        LogListed(_nodes.Count, resourceVersion);
        Publish();
        return resourceVersion;
    }

    /// <summary>Applies one event to the cache and publishes; returns the event's resourceVersion.</summary>
    /// <exception cref="KubernetesDataException">a Node event without the Node's name.</exception>
    private string? Apply(NodeWatchEvent change)
    {
        var node = change.Node;
        if (change.Type is not (NodeWatchEvent.Added or NodeWatchEvent.Modified or NodeWatchEvent.Deleted))
        {
            // A bookmark (its object carries only metadata.resourceVersion) or a type added later: only the
            // resourceVersion moves on.
            return node?.Metadata?.ResourceVersion;
        }

        if (node?.Metadata?.Name is not { Length: > 0 } name)
        {
            throw new KubernetesDataException($"malformed watch event: {change.Type} of a Node without metadata.name");
        }

        switch (change.Type)
        {
            case NodeWatchEvent.Added or NodeWatchEvent.Modified:
                Remember(node);
                break;
            case NodeWatchEvent.Deleted:
                _nodes.Remove(name);
                if (name == options.NodeName)
                {
                    _selfPodCidrs = [];
                }

                break;
        }

        LogEvent(change.Type, name);
        Publish();
        return node.Metadata.ResourceVersion;
    }

    private void Remember(k8s.Models.V1Node node)
    {
        var converted = NodeConversion.ToClusterNode(node);
        _nodes[converted.Name] = converted;
        if (converted.Name == options.NodeName)
        {
            _selfPodCidrs = NodeConversion.PodCidrTexts(node);
        }
    }

    private void Publish()
    {
        metrics.NodesKnown(_nodes.Count);
        if (!_nodes.TryGetValue(options.NodeName, out var self) || _selfPodCidrs.Count == 0)
        {
            if (!_waitingLogged)
            {
                LogWaitingForPodCidrs(options.NodeName);
                _waitingLogged = true;
            }

            return;
        }

        _waitingLogged = false;
        if (LocalPoolRule.Problem(_selfPodCidrs) is { } problem)
        {
            // The plugin would refuse every ADD with these pools: never write them into the conflist, never report
            // Ready with them. Nothing is published, so a node synced before keeps its last good state.
            if (problem != _refusedPoolsReported)
            {
                var cidrs = string.Join(", ", _selfPodCidrs);
                LogPoolsRefused(options.NodeName, cidrs, problem);
                metrics.LocalPoolsRefused();
                events.Warning(options.NodeName, "CniV6PoolsRefused",
                               $"cniv6-agent refuses this node's pod CIDRs {cidrs}: {problem}; pods here get no network until spec.podCIDRs is fixed");
                _refusedPoolsReported = problem;
            }

            return;
        }

        if (_refusedPoolsReported is not null)
        {
            var cidrs = string.Join(", ", _selfPodCidrs);
            LogPoolsAccepted(options.NodeName, cidrs);
            _refusedPoolsReported = null;
        }

        if (store.Publish(ClusterState.Create(options.NodeName, self.PodCidrs, _nodes.Values, options.ExtraMasqueradeExcludes) with { ClusterCidrs = options.ClusterPodCidrs }, time))
        {
            LogStateChanged(_nodes.Count, self.PodCidrs);
        }
    }
}
