using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
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
    TimeProvider time,
    ILogger<KubernetesClusterSource> logger) : BackgroundService
{
    private readonly Dictionary<string, ClusterNode> _nodes = new(StringComparer.Ordinal);
    private bool _waitingLogged;

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
                    resourceVersion = await ListAsync(stoppingToken).ConfigureAwait(false);
                    Backoff.Reset();
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
            catch (Exception e)
            {
                var delay = Backoff.NextDelay();
                metrics.WatchRestarted();
                LogWatchFailed(e, delay.TotalSeconds);
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var list = await api.ListAsync(cancellationToken).ConfigureAwait(false);
        metrics.Relisted();
        _nodes.Clear();
        foreach (var node in list.Items ?? [])
        {
            var converted = NodeConversion.ToClusterNode(node);
            _nodes[converted.Name] = converted;
        }

        var resourceVersion = list.Metadata?.ResourceVersion ?? "";
        LogListed(_nodes.Count, resourceVersion);
        Publish();
        return resourceVersion;
    }

    /// <summary>Applies one event to the cache and publishes; returns the event's resourceVersion.</summary>
    private string? Apply(NodeWatchEvent change)
    {
        var node = change.Node;
        if (node?.Metadata?.Name is not { } name)
        {
            return null;
        }

        switch (change.Type)
        {
            case NodeWatchEvent.Added or NodeWatchEvent.Modified:
                _nodes[name] = NodeConversion.ToClusterNode(node);
                break;
            case NodeWatchEvent.Deleted:
                _nodes.Remove(name);
                break;
            case NodeWatchEvent.Bookmark:
            default:
                // A bookmark (or a type added later): only the resourceVersion moves on.
                break;
        }

        LogEvent(change.Type, name);
        Publish();
        return node.Metadata.ResourceVersion;
    }

    private void Publish()
    {
        metrics.NodesKnown(_nodes.Count);
        if (!_nodes.TryGetValue(options.NodeName, out var self) || self.PodCidrs.Count == 0)
        {
            if (!_waitingLogged)
            {
                LogWaitingForPodCidrs(options.NodeName);
                _waitingLogged = true;
            }

            return;
        }

        _waitingLogged = false;
        if (store.Publish(ClusterState.Create(options.NodeName, self.PodCidrs, _nodes.Values, options.ExtraMasqueradeExcludes) with { ClusterCidrs = options.ClusterPodCidrs }, time))
        {
            LogStateChanged(_nodes.Count, self.PodCidrs);
        }
    }
}
