using CniV6.Agent.Health;

namespace CniV6.Agent.Tests.Unit;

public class AgentMetricsTests
{
    [Fact]
    public void Renders_prometheus_text_with_help_type_and_value_for_each_metric()
    {
        var metrics = new AgentMetrics();
        metrics.RoutesChanged(added: 4, deleted: 1, total: 6);
        metrics.SetReady(true);
        metrics.SyncSucceeded(TimeSpan.FromMilliseconds(12), DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), TimeSpan.FromMilliseconds(30));

        var lines = metrics.Render().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains("cniv6_agent_routes 6", lines);
        Assert.Contains("cniv6_agent_routes_replaced_total 4", lines);
        Assert.Contains("cniv6_agent_ready 1", lines);
        Assert.Contains("cniv6_agent_last_sync_timestamp_seconds 1800000000", lines);
        Assert.Contains("cniv6_agent_change_to_routes_seconds 0.03", lines);
        Assert.Contains("# TYPE cniv6_agent_syncs_total counter", lines);
        var samples = lines.Where(l => !l.StartsWith('#')).ToArray();
        Assert.Equal(lines.Count(l => l.StartsWith("# TYPE", StringComparison.Ordinal)), samples.Length);
        Assert.All(samples, s => Assert.Matches(@"^[a-z_0-9]+ -?[0-9.eE+-]+$", s));
    }
}
