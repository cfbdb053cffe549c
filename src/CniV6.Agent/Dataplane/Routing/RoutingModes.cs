using CniV6.Agent.Dataplane.Routing.Bgp;
using CniV6.Agent.Dataplane.Routing.HostGateway;
using CniV6.Agent.Dataplane.Routing.Vxlan;
using Microsoft.Extensions.DependencyInjection;

namespace CniV6.Agent.Dataplane.Routing;

/// <summary>
/// The routing modes the agent knows, by configuration name. Registering a mode is one line here; configuration
/// accepts exactly these names. Modes are created from the agent's services (their kernel seams registered in
/// <see cref="DataplaneComposition"/>).
/// </summary>
internal static class RoutingModes
{
    /// <summary>
    /// auto: host-gw wherever the peer shares a segment (no encapsulation cost), the tunnel only where a plain route
    /// could not work. A cluster on one L2 segment behaves exactly as with hostgw.
    /// </summary>
    public const string Default = AutoMode.ModeName;

    private static readonly Dictionary<string, Func<IServiceProvider, IRoutingMode>> Factories = new(StringComparer.Ordinal)
    {
        [HostGatewayMode.ModeName] = services => ActivatorUtilities.CreateInstance<HostGatewayMode>(services),
        [VxlanMode.ModeName] = services => ActivatorUtilities.CreateInstance<VxlanMode>(services),
        [AutoMode.ModeName] = services => ActivatorUtilities.CreateInstance<AutoMode>(services),
        [BgpMode.ModeName] = services => ActivatorUtilities.CreateInstance<BgpMode>(services),
    };

    /// <summary>Every mode name, in a stable order for messages.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Factories.Keys.Order(StringComparer.Ordinal)];

    public static bool IsKnown(string name) => Factories.ContainsKey(name);

    /// <summary>A new instance of the named mode, or null for a name this agent version does not know.</summary>
    public static IRoutingMode? TryCreate(string name, IServiceProvider services) =>
        Factories.TryGetValue(name, out var create) ? create(services) : null;
}
