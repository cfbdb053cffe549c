namespace CniV6.Plugin.Doctor.Routing;

/// <summary>
/// The health of one of cniv6-agent's routing modes on this node, as <see cref="Checks.RoutingModeCheck"/> asks it
/// once it has read which mode the agent installed. A mode's check is one file implementing this plus its line in
/// <see cref="RoutingModeHealths.All"/> (tunnel devices for the overlay modes; BGP sessions for a BGP mode). It reads
/// (never changes) the node, and compares it with what the agent recorded it installed, not with guesses.
/// </summary>
internal interface IRoutingModeHealth
{
    /// <summary>The mode names (as the agent records them, <c>Routing:Mode</c>) this check covers.</summary>
    IReadOnlyList<string> Modes { get; }

    /// <summary>Findings for <paramref name="mode"/>, all under the check name <c>routing</c>.</summary>
    IEnumerable<DoctorFinding> Check(string mode, DoctorContext context);
}
