using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
using CniV6.Core.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Metrics;

/// <summary>
/// Feeds the metrics that come from the plugin's side of the node: the CNI operations it recorded
/// (<see cref="CniOperationLogReader"/>, read before every scrape and every <see cref="DrainInterval"/> so the file is
/// read long before it rotates) and the usage of this node's pools (<see cref="IpamPoolMetrics"/>, at scrape time).
/// </summary>
internal sealed class CniMetricsService : BackgroundService
{
    internal static readonly TimeSpan DrainInterval = TimeSpan.FromSeconds(5);

    private readonly CniOperationLogReader _operations;
    private readonly TimeProvider _time;

    public CniMetricsService(AgentOptions options, ClusterStateStore cluster, AgentMetrics metrics, TimeProvider time, ILoggerFactory logs)
    {
        _time = time;
        _operations = new CniOperationLogReader(
            CniOperationLog.DefaultPath, options.NetworkName, metrics.CniOperation, metrics.CniOperationRecordsRejected, logs.CreateLogger<CniOperationLogReader>());
        _operations.Drain(); // from here on, what the plugin appends is counted
        metrics.AddScrapeHook(_operations.Drain);
        _ = new IpamPoolMetrics(options, cluster, metrics, time, logs.CreateLogger<IpamPoolMetrics>());
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(DrainInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            _operations.Drain();
        }
    }

    public override void Dispose()
    {
        _operations.Dispose();
        base.Dispose();
    }
}
