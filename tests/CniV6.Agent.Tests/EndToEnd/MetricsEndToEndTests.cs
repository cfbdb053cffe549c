using System.Security.Cryptography;
using CniV6.Agent.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// /metrics of the published agent, scraped and parsed as Prometheus text after pods were added and deleted through
/// libcni with the plugin the agent installed: the plugin's invocations arrive as counts and latencies, the pool
/// usage is read from the IPAM store, and build and process metrics describe the running agent.
/// </summary>
public sealed class MetricsEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private readonly StaticAgentNode _node = new("cv6m");

    // Other tests on this host run the plugin too, all appending to the one operation log: a network of its own
    // keeps their invocations out of this agent's counts.
    private readonly string _network = "cv6m-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();

    [Fact]
    public async Task Plugin_invocations_and_pool_usage_are_scraped_as_valid_prometheus_text_with_real_values()
    {
        _node.CreateNode();
        _node.WriteConfig(_network, """, "ReferencePluginDirs": "" """);
        await _node.StartAgentAsync();
        var pods = new[] { "p1", "p2", "p3" }.Select(_node.CreatePodNamespace).ToArray();
        foreach (var pod in pods)
        {
            _node.DriveOrThrow("add", pod);
        }

        _node.DriveOrThrow("check", pods[0]);
        _node.DriveOrThrow("del", pods[2]);
        // A namespace that does not exist: the plugin refuses the ADD, and that is counted as an error.
        var refused = _node.Drive("add", _node.Netns.Replace("-node", "-gone", StringComparison.Ordinal));
        Assert.NotEqual(0, refused.ExitCode);

        var body = await ScrapeAsync();
        output.WriteLine(string.Join('\n', body.Split('\n').Where(l => l.StartsWith("cniv6_cni", StringComparison.Ordinal) || l.StartsWith("cniv6_ipam", StringComparison.Ordinal))));
        var metrics = PrometheusText.Parse(body);

        Assert.Equal(3, metrics.Value("cniv6_cni_operations_total", ("command", "ADD"), ("result", "success")));
        Assert.Equal(1, metrics.Value("cniv6_cni_operations_total", ("command", "ADD"), ("result", "error")));
        Assert.Equal(1, metrics.Value("cniv6_cni_operations_total", ("command", "CHECK"), ("result", "success")));
        Assert.Equal(1, metrics.Value("cniv6_cni_operations_total", ("command", "DEL"), ("result", "success")));
        Assert.Equal(1, metrics.All("cniv6_cni_operation_errors_total").Where(s => s.Labels["command"] == "ADD").Sum(s => s.Value));
        Assert.Equal("histogram", metrics.Families["cniv6_cni_operation_duration_seconds"].Type);
        Assert.Equal(3, metrics.Value("cniv6_cni_operation_duration_seconds_count", ("command", "ADD"), ("result", "success")));
        Assert.InRange(metrics.Value("cniv6_cni_operation_duration_seconds_sum", ("command", "ADD"), ("result", "success")), 0.0001, 30);
        Assert.Equal(0, metrics.Value("cniv6_cni_operation_records_rejected_total"));

        (string, string)[] v6 = [("network", _network), ("pool", "fd00:10:244:1::/64"), ("family", "ipv6")];
        (string, string)[] v4 = [("network", _network), ("pool", "10.244.1.0/24"), ("family", "ipv4")];
        Assert.Equal(2, metrics.Value("cniv6_ipam_pool_used", v6));
        Assert.Equal(2, metrics.Value("cniv6_ipam_pool_used", v4));
        Assert.Equal(254, metrics.Value("cniv6_ipam_pool_size", v4));
        Assert.Equal(252, metrics.Value("cniv6_ipam_pool_free", v4));
        Assert.Equal(Math.Pow(2, 64), metrics.Value("cniv6_ipam_pool_size", v6)); // 2^64 - 1 as a float
        Assert.Equal(metrics.Value("cniv6_ipam_pool_size", v6), metrics.Value("cniv6_ipam_pool_free", v6) + 2);

        Assert.Equal(1, Assert.Single(metrics.All("cniv6_build_info")).Value);
        Assert.Equal(1, metrics.Value("cniv6_agent_ready"));
        Assert.True(metrics.Value("cniv6_agent_syncs_total") >= 1);
        Assert.Equal(metrics.Value("cniv6_agent_syncs_total"), metrics.Value("cniv6_agent_sync_duration_seconds_count", ("result", "success")));
        Assert.Equal(2, metrics.Value("cniv6_agent_mode_routes", ("mode", "auto"))); // the static peer's two pod CIDRs
        Assert.InRange(metrics.Value("process_resident_memory_bytes"), 1 << 20, 1L << 30);
        Assert.InRange(metrics.Value("process_open_fds"), 3, 10_000);
        Assert.True(metrics.Value("process_cpu_seconds_total") > 0);
        Assert.InRange(metrics.Value("process_start_time_seconds"), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
    }

    private async Task<string> ScrapeAsync()
    {
        using var http = InNamespace.HttpClient(_node.Netns);
        using var response = await http.GetAsync(new Uri("http://127.0.0.1:9646/metrics"));
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return await response.Content.ReadAsStringAsync();
    }

    public void Dispose() => _node.Dispose();
}
