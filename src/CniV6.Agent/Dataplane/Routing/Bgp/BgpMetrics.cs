using System.Diagnostics.Metrics;
using CniV6.Agent.Health;
using CniV6.Agent.Metrics;

namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>
/// The bgp mode's series on the agent's meter: per-session state (one series per session BIRD runs, replaced as
/// a whole so a peer that is gone disappears), whether BIRD answers, and how often it was started.
/// </summary>
internal sealed class BgpMetrics
{
    private readonly GaugeSeries _sessions;
    private readonly GaugeSeries _birdUp;
    private readonly Counter<long> _birdStarts;

    public BgpMetrics(AgentMetrics metrics)
    {
        _sessions = metrics.CreateGaugeSeries(
            "cniv6_agent_bgp_session_established",
            "1 while the BGP session with the peer is Established (bgp mode); state is BIRD's BGP state of the session.",
            "peer", "protocol", "kind", "state");
        _birdUp = metrics.CreateGaugeSeries("cniv6_agent_bird_up", "1 while BIRD answers on its control socket (bgp mode).");
        _birdStarts = metrics.Meter.CreateCounter<long>("cniv6_agent_bird_starts", unit: null,
                                                        description: "Times the bgp mode started BIRD (restarts after it died included).");
    }

    public void BirdStarted() => _birdStarts.Add(1);

    public void BirdUp(bool up) => _birdUp.Set(up ? 1 : 0);

    /// <summary>Every session now, replacing the last report.</summary>
    public void Sessions(IEnumerable<BgpSessionMetric> sessions) =>
        _sessions.ReplaceAll(sessions.Select(s => (new[] { s.Peer, s.Protocol, s.Kind, s.State }, s.State == "Established" ? 1.0 : 0.0)));
}

/// <summary>One BGP session as the metrics show it: who, which BIRD protocol, what kind, and its BGP state.</summary>
internal sealed record BgpSessionMetric(string Peer, string Protocol, string Kind, string State);
