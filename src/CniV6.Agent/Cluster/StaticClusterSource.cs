using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
using Microsoft.Extensions.Hosting;

namespace CniV6.Agent.Cluster;

/// <summary>Pools and peers from the configuration file, for hosts run by systemd without Kubernetes.</summary>
internal sealed class StaticClusterSource(AgentOptions options, ClusterStateStore store, AgentMetrics metrics, TimeProvider time)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var self = new ClusterNode(options.NodeName, options.StaticAddresses, options.StaticPools);
        var nodes = options.StaticPeers.Where(p => p.Name != options.NodeName).Append(self).ToArray();
        metrics.NodesKnown(nodes.Length);
        store.Publish(ClusterState.Create(options.NodeName, options.StaticPools, nodes, options.ExtraMasqueradeExcludes) with { ClusterCidrs = options.ClusterPodCidrs }, time);
        return Task.CompletedTask;
    }
}
