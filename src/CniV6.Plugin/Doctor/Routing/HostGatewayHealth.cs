using System.Net.Sockets;
using CniV6.Netlink;

namespace CniV6.Plugin.Doctor.Routing;

/// <summary>
/// <c>hostgw</c>: pods of other nodes are reached by plain routes through their node (protocol 198, with a gateway),
/// which the agent keeps in line with the cluster on every sync; doctor reports how many there are.
/// </summary>
internal sealed class HostGatewayHealth : IRoutingModeHealth
{
    public IReadOnlyList<string> Modes { get; } = ["hostgw"];

    public IEnumerable<DoctorFinding> Check(string mode, DoctorContext context)
    {
        var routes = new[] { AddressFamily.InterNetworkV6, AddressFamily.InterNetwork }
            .SelectMany(context.Node.Routes)
            .Count(r => r.Protocol == RouteProtocol.CniV6 && r.Gateway is not null);
        yield return DoctorFinding.Ok(Checks.RoutingModeCheck.CheckName, $"mode {mode}: {routes} node route(s) to other nodes' pods (proto 198)");
    }
}
