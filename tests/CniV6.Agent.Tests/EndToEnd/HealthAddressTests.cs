using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Tests.Infrastructure;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// The health and metrics listener binds where it is told (the DaemonSet gives it the node IP so Prometheus can
/// scrape it) and nowhere else: 127.0.0.1 by default, the node's address when configured, by flag or environment.
/// </summary>
public sealed class HealthAddressTests : IDisposable
{
    private readonly StaticAgentNode _node = new("cv6i");

    [Fact]
    public async Task By_default_metrics_answer_on_127_0_0_1_only()
    {
        _node.CreateNode();
        _node.WriteConfig("cv6i-net", """, "Portmap": false, "ReferencePluginDirs": "" """);
        await _node.StartAgentAsync();

        var loopback = await GetMetricsAsync(IPAddress.Loopback);
        var nodeAddress = await GetMetricsAsync(IPAddress.Parse("fd00:5e::1"));

        Assert.Contains("cniv6_agent_ready 1", loopback, StringComparison.Ordinal);
        Assert.Null(nodeAddress);
    }

    [Theory]
    [InlineData("flag")]
    [InlineData("environment")]
    public async Task A_configured_node_address_serves_metrics_there_and_not_on_loopback(string how)
    {
        _node.CreateNode();
        _node.WriteConfig("cv6i-net", """, "Portmap": false, "ReferencePluginDirs": "" """);
        var nodeAddress = IPAddress.Parse("fd00:5e::1");
        var health = new Uri("http://[fd00:5e::1]:9646/");
        if (how == "flag")
        {
            await _node.StartAgentAsync(health, null, "--health-address", "fd00:5e::1");
        }
        else
        {
            await _node.StartAgentAsync(health, new Dictionary<string, string> { ["CNIV6_HEALTH__ADDRESS"] = "fd00:5e::1" });
        }

        var there = await GetMetricsAsync(nodeAddress);
        var loopback = await GetMetricsAsync(IPAddress.Loopback);

        Assert.Contains("cniv6_agent_ready 1", there, StringComparison.Ordinal);
        Assert.Null(loopback);
        Assert.Contains("[fd00:5e::1]:9646", _node.Agent!.Log, StringComparison.Ordinal);
    }

    /// <summary>The /metrics body, or null when nothing listens there (connection refused).</summary>
    private async Task<string?> GetMetricsAsync(IPAddress address)
    {
        using var http = InNamespace.HttpClient(_node.Netns);
        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        try
        {
            return await http.GetStringAsync(new Uri($"http://{host}:9646/metrics"));
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return null;
        }
    }

    public void Dispose() => _node.Dispose();
}
