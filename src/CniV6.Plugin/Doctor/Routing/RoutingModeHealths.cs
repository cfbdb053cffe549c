namespace CniV6.Plugin.Doctor.Routing;

/// <summary>Every routing mode doctor can check; a new mode's check is one more line here.</summary>
internal static class RoutingModeHealths
{
    public static readonly IReadOnlyList<IRoutingModeHealth> All =
    [
        new HostGatewayHealth(),
        new OverlayHealth(),
    ];

    /// <summary>The check covering <paramref name="mode"/>; null for a mode this doctor does not know.</summary>
    public static IRoutingModeHealth? For(string mode, IReadOnlyList<IRoutingModeHealth> healths) =>
        healths.FirstOrDefault(h => h.Modes.Contains(mode, StringComparer.Ordinal));
}
