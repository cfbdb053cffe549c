using System.Diagnostics.Metrics;
using CniV6.Agent.Health;
using CniV6.Agent.Tests.Infrastructure;

namespace CniV6.Agent.Tests.Unit.Metrics;

public class AgentMetricsTests
{
    [Fact]
    public void Renders_every_metric_as_valid_prometheus_text_with_the_recorded_values()
    {
        using var metrics = new AgentMetrics();
        metrics.RoutesChanged(added: 4, deleted: 1, total: 6, mode: "hostgw");
        metrics.SetReady(true);
        metrics.SyncSucceeded(TimeSpan.FromMilliseconds(12), DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), TimeSpan.FromMilliseconds(30));
        metrics.SyncFailed(TimeSpan.FromSeconds(3));

        var text = PrometheusText.Parse(metrics.Render());

        Assert.Equal(6, text.Value("cniv6_agent_routes"));
        Assert.Equal(6, text.Value("cniv6_agent_mode_routes", ("mode", "hostgw")));
        Assert.Equal(4, text.Value("cniv6_agent_routes_replaced_total"));
        Assert.Equal(1, text.Value("cniv6_agent_routes_deleted_total"));
        Assert.Equal(1, text.Value("cniv6_agent_ready"));
        Assert.Equal(1_800_000_000, text.Value("cniv6_agent_last_sync_timestamp_seconds"));
        Assert.Equal(0.03, text.Value("cniv6_agent_change_to_routes_seconds"));
        Assert.Equal(1, text.Value("cniv6_agent_syncs_total"));
        Assert.Equal(1, text.Value("cniv6_agent_sync_failures_total"));
        Assert.Equal("counter", text.Families["cniv6_agent_syncs_total"].Type);
        Assert.Equal("histogram", text.Families["cniv6_agent_sync_duration_seconds"].Type);
        Assert.Equal(1, text.Value("cniv6_agent_sync_duration_seconds_bucket", ("result", "success"), ("le", "0.025")));
        Assert.Equal(0, text.Value("cniv6_agent_sync_duration_seconds_bucket", ("result", "success"), ("le", "0.01")));
        Assert.Equal(0.012, text.Value("cniv6_agent_sync_duration_seconds_sum", ("result", "success")), 9);
        Assert.Equal(1, text.Value("cniv6_agent_sync_duration_seconds_count", ("result", "failure")));
        Assert.Equal(0, text.Value("cniv6_agent_sync_duration_seconds_bucket", ("result", "failure"), ("le", "2.5")));
        Assert.Equal(1, text.Value("cniv6_agent_sync_duration_seconds_bucket", ("result", "failure"), ("le", "5")));
        Assert.All(text.Families.Values, f => Assert.False(string.IsNullOrEmpty(f.Help)));
    }

    [Fact]
    public void Every_unlabelled_counter_and_gauge_is_exported_as_zero_before_anything_happened()
    {
        using var metrics = new AgentMetrics();

        var text = PrometheusText.Parse(metrics.Render());

        foreach (var name in new[]
        {
            "cniv6_agent_syncs_total", "cniv6_agent_sync_failures_total", "cniv6_agent_routes_replaced_total", "cniv6_agent_routes_deleted_total",
            "cniv6_agent_conflist_writes_total", "cniv6_agent_watch_events_total", "cniv6_agent_watch_restarts_total", "cniv6_agent_relists_total",
            "cniv6_agent_peer_claims_refused_total", "cniv6_agent_peer_claims_refused", "cniv6_agent_route_failures_total",
            "cniv6_agent_routes_not_owned_total", "cniv6_agent_health_bind_failures_total", "cniv6_agent_local_pools_refused_total",
            "cniv6_agent_ipam_reclaimed_total", "cniv6_agent_ipam_reclaim_failures_total", "cniv6_agent_nodes", "cniv6_agent_routes",
            "cniv6_agent_ready", "cniv6_agent_last_sync_duration_seconds", "cniv6_agent_last_sync_timestamp_seconds", "cniv6_agent_change_to_routes_seconds",
        })
        {
            Assert.Equal(0, text.Value(name));
        }
    }

    [Fact]
    public void Build_info_and_process_metrics_describe_this_process()
    {
        using var metrics = new AgentMetrics();

        var text = PrometheusText.Parse(metrics.Render());

        var buildInfo = Assert.Single(text.All("cniv6_build_info"));
        Assert.Equal(1, buildInfo.Value);
        Assert.False(string.IsNullOrEmpty(buildInfo.Labels["version"]));
        Assert.InRange(text.Value("process_resident_memory_bytes"), 1 << 20, 64L << 30);
        Assert.True(text.Value("process_virtual_memory_bytes") >= text.Value("process_resident_memory_bytes"));
        Assert.Equal("counter", text.Families["process_cpu_seconds_total"].Type);
        Assert.InRange(text.Value("process_cpu_seconds_total"), 0.001, 1e6);
        Assert.InRange(text.Value("process_open_fds"), 3, 1 << 20);
        var started = DateTimeOffset.FromUnixTimeMilliseconds((long)(text.Value("process_start_time_seconds") * 1000));
        Assert.InRange(started, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow);
    }

    [Fact]
    public void A_gauge_series_shows_exactly_the_label_sets_set_and_not_removed()
    {
        using var metrics = new AgentMetrics();
        var sessions = metrics.CreateGaugeSeries("cniv6_agent_bgp_session_up", "1 while the BGP session is established.", "peer");

        sessions.Set(1, "node-a");
        sessions.Set(0, "node-b");
        var first = PrometheusText.Parse(metrics.Render());
        sessions.ReplaceAll([(["node-b"], 1), (["node \"c\"\\\n"], 0)]);
        var second = PrometheusText.Parse(metrics.Render());
        Assert.True(sessions.Remove("node-b"));
        var third = PrometheusText.Parse(metrics.Render());

        Assert.Equal(1, first.Value("cniv6_agent_bgp_session_up", ("peer", "node-a")));
        Assert.Equal(0, first.Value("cniv6_agent_bgp_session_up", ("peer", "node-b")));
        Assert.Null(second.Find("cniv6_agent_bgp_session_up", ("peer", "node-a")));
        Assert.Equal(1, second.Value("cniv6_agent_bgp_session_up", ("peer", "node-b")));
        Assert.Equal(0, second.Value("cniv6_agent_bgp_session_up", ("peer", "node \"c\"\\\n")));
        Assert.Single(third.All("cniv6_agent_bgp_session_up"));
        Assert.Equal("gauge", third.Families["cniv6_agent_bgp_session_up"].Type);
        Assert.Throws<ArgumentException>(() => sessions.Set(1, "a", "b"));
    }

    [Fact]
    public void An_observed_gauge_is_asked_at_each_scrape()
    {
        using var metrics = new AgentMetrics();
        var calls = 0;
        metrics.ObserveGauge("cniv6_test_observed", "Calls so far.", () =>
        {
            calls++;
            return [new Measurement<double>(calls, new KeyValuePair<string, object?>("kind", "test"))];
        });

        _ = metrics.Render();
        var text = PrometheusText.Parse(metrics.Render());

        Assert.Equal(2, text.Value("cniv6_test_observed", ("kind", "test")));
    }

    [Fact]
    public void Two_instances_never_see_each_others_measurements()
    {
        using var one = new AgentMetrics();
        using var other = new AgentMetrics();

        one.ConflistWritten();

        Assert.Equal(1, PrometheusText.Parse(one.Render()).Value("cniv6_agent_conflist_writes_total"));
        Assert.Equal(0, PrometheusText.Parse(other.Render()).Value("cniv6_agent_conflist_writes_total"));
    }
}
