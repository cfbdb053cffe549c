namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>One BGP protocol's line of <c>show protocols</c>: BIRD's protocol state and the BGP session state.</summary>
/// <param name="Protocol">BIRD's protocol name.</param>
/// <param name="State">BIRD's protocol state: <c>up</c>, <c>start</c>, <c>down</c>, <c>stop</c>.</param>
/// <param name="BgpState">The session's BGP state (RFC 4271 FSM): Idle, Connect, Active, OpenSent, OpenConfirm, Established, or Close.</param>
internal sealed record BirdSessionState(string Protocol, string State, string BgpState)
{
    public bool Established => BgpState == "Established";

    private static readonly string[] BgpStates = ["Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established", "Close"];

    /// <summary>
    /// The BGP protocols of a <c>show protocols</c> reply (code 1002 rows). The "Since" column's format depends on
    /// BIRD's <c>timeformat</c>, so the BGP state is found by name among the columns after the protocol state.
    /// </summary>
    public static IReadOnlyList<BirdSessionState> Parse(BirdReply reply)
    {
        var sessions = new List<BirdSessionState>();
        foreach (var line in reply.Lines.Where(l => l.Code == 1002))
        {
            var columns = line.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length < 4 || columns[1] != "BGP")
            {
                continue;
            }

            var bgpState = columns.Skip(4).FirstOrDefault(c => BgpStates.Contains(c, StringComparer.Ordinal)) ?? "Idle";
            sessions.Add(new BirdSessionState(columns[0], columns[3], bgpState));
        }

        return sessions;
    }
}
