using CniV6.Agent.Dataplane.Routing.Bgp;
using CniV6.Agent.Health;

namespace CniV6.Agent.Tests.Unit.Bgp;

public sealed class BgpMetricsTests
{
    [Fact]
    public void Each_session_is_one_labelled_series_and_a_peer_that_is_gone_disappears()
    {
        using var agentMetrics = new AgentMetrics();
        var metrics = new BgpMetrics(agentMetrics);
        metrics.BirdStarted();
        metrics.BirdUp(true);
        metrics.Sessions(
        [
            new BgpSessionMetric("fd00:a11::fe", "peer6_fd00_a11__fe_0a1b2c", "peer", "Established"),
            new BgpSessionMetric("n2", "mesh4_n2_0480a9", "mesh", "Active"),
        ]);

        var text = agentMetrics.Render(); // labels in name order, as the renderer writes them

        Assert.Contains("cniv6_agent_bgp_session_established{kind=\"peer\",peer=\"fd00:a11::fe\",protocol=\"peer6_fd00_a11__fe_0a1b2c\",state=\"Established\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("cniv6_agent_bgp_session_established{kind=\"mesh\",peer=\"n2\",protocol=\"mesh4_n2_0480a9\",state=\"Active\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("cniv6_agent_bird_up 1", text, StringComparison.Ordinal);
        Assert.Contains("cniv6_agent_bird_starts_total 1", text, StringComparison.Ordinal);

        metrics.Sessions([new BgpSessionMetric("n2", "mesh4_n2_0480a9", "mesh", "Established")]);
        text = agentMetrics.Render();

        Assert.DoesNotContain("fd00:a11::fe", text, StringComparison.Ordinal);
        Assert.Contains("state=\"Established\"} 1", text, StringComparison.Ordinal);
    }
}
