using CniV6.Agent.Health;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Routing.HostGateway;

/// <summary>
/// host-gw: each peer's pod CIDRs are routed via the peer's own address on a segment both nodes are attached to;
/// no encapsulation, so the pod MTU is the uplink's. Peers on no shared segment are reported, not routed. Owns the
/// main table's routes with the agent's protocol number and a gateway (<see cref="INodeRouteTable"/>).
/// </summary>
internal sealed partial class HostGatewayMode(INodeRouteTable routeTable, AgentMetrics metrics, ILogger<HostGatewayMode> logger) : IRoutingMode
{
    public const string ModeName = "hostgw";

    private HashSet<string> _reportedUnroutable = [];

    public string Name => ModeName;

    public int PodMtuOverhead(SyncContext sync) => 0;

    public void Reconcile(SyncContext sync)
    {
        var unroutable = new List<string>();
        var desired = DesiredRoutes.Compute(sync.State, sync.LocalPrefixes, unroutable);
        foreach (var reason in unroutable.Where(r => !_reportedUnroutable.Contains(r)))
        {
            LogUnroutable(reason);
        }

        _reportedUnroutable = [.. unroutable];
        Apply(RoutePlan.Compute(routeTable.ListOwnedRoutes(), desired), desired.Count);
    }

    public void Remove() => Apply(RoutePlan.Compute(routeTable.ListOwnedRoutes(), []), 0);

    private void Apply(RoutePlan plan, int total)
    {
        foreach (var route in plan.ToDelete)
        {
            routeTable.Delete(route);
            LogRouteDeleted(route);
        }

        foreach (var route in plan.ToReplace)
        {
            routeTable.Replace(route);
            LogRouteReplaced(route);
        }

        metrics.RoutesChanged(plan.ToReplace.Count, plan.ToDelete.Count, total);
    }
}
