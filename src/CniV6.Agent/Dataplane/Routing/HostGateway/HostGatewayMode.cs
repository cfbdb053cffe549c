using System.Net;
using CniV6.Agent.Health;
using CniV6.Agent.Logging;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Routing.HostGateway;

/// <summary>
/// host-gw: each peer's pod CIDRs are routed via the peer's own address on a segment both nodes are attached to;
/// no encapsulation, so the pod MTU is the uplink's. Peers on no shared segment are reported, not routed. Owns the
/// main table's routes with the agent's protocol number and a gateway (<see cref="INodeRouteTable"/>) and nothing
/// else: a destination that is not already ours is only ever created exclusively, so a route someone else put
/// there (a static route, the default route) is never overwritten, and so never deleted later either.
/// One route the kernel refuses is logged, counted and skipped; the other peers' routes still go in.
/// </summary>
internal sealed partial class HostGatewayMode(INodeRouteTable routeTable, AgentMetrics metrics, ILogger<HostGatewayMode> logger) : IRoutingMode
{
    public const string ModeName = "hostgw";

    private HashSet<string> _reportedUnroutable = [];

    // Each failing route is retried every pass (every resync): its error is logged when it first fails or changes.
    private Dictionary<IPNetwork, string> _reportedFailures = [];
    private Dictionary<IPNetwork, string> _failuresThisPass = [];

    // This node's links as last read, to name a route's device.
    private IReadOnlyList<LocalPrefix> _links = [];

    public string Name => ModeName;

    public int PodMtuOverhead(SyncContext sync) => 0;

    public void Reconcile(SyncContext sync)
    {
        _links = sync.LocalPrefixes;
        var unroutable = new List<string>();
        var desired = DesiredRoutes.Compute(sync.State, sync.LocalPrefixes, unroutable);
        var owned = routeTable.ListOwnedRoutes();
        var (changed, deleted, failed) = Apply(RoutePlan.Compute(owned, desired), owned, unroutable);
        foreach (var reason in unroutable.Where(r => !_reportedUnroutable.Contains(r)))
        {
            LogUnroutable(reason);
        }

        _reportedUnroutable = [.. unroutable];
        metrics.RoutesChanged(changed, deleted, desired.Count - failed, ModeName);
    }

    public void Remove()
    {
        var owned = routeTable.ListOwnedRoutes();
        var (changed, deleted, _) = Apply(RoutePlan.Compute(owned, []), owned, []);
        metrics.RoutesChanged(changed, deleted, 0, ModeName);
    }

    /// <summary>Applies the plan route by route: what changed, what was removed, and how many desired routes are missing.</summary>
    private (int Changed, int Deleted, int Failed) Apply(RoutePlan plan, IReadOnlyList<NodeRoute> owned, List<string> unroutable)
    {
        try
        {
            return ApplyRoutes(plan, owned, unroutable);
        }
        finally
        {
            // A route that did not fail this pass is forgotten: failing again later is news again.
            (_reportedFailures, _failuresThisPass) = (_failuresThisPass, []);
        }
    }

    private (int Changed, int Deleted, int Failed) ApplyRoutes(RoutePlan plan, IReadOnlyList<NodeRoute> owned, List<string> unroutable)
    {
        int deleted = 0, changed = 0, failed = 0;
        foreach (var route in plan.ToDelete)
        {
            if (Try(route, "remove", () => routeTable.Delete(route)))
            {
                deleted++;
                LogRouteDeleted(new RouteText(route, _links));
            }
        }

        var ownedDestinations = owned.Select(r => r.Destination).ToHashSet();
        foreach (var route in plan.ToReplace)
        {
            if (ownedDestinations.Contains(route.Destination))
            {
                if (Try(route, "change", () => routeTable.Replace(route)))
                {
                    changed++;
                    LogRouteReplaced(new RouteText(route, _links));
                }
                else
                {
                    failed++;
                }

                continue;
            }

            var added = false;
            if (!Try(route, "add", () => added = routeTable.TryAdd(route)))
            {
                failed++;
            }
            else if (!added)
            {
                failed++;
                metrics.RouteNotOwned();
                unroutable.Add($"{new RouteText(route, _links)}: the destination already has a route that is not cniv6's; it is left alone");
            }
            else
            {
                changed++;
                LogRouteReplaced(new RouteText(route, _links));
            }
        }

        return (changed, deleted, failed);
    }

    private bool Try(NodeRoute route, string action, Action change)
    {
        try
        {
            change();
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            metrics.RouteFailed();
            var message = ExceptionText.OneLine(e);
            var error = $"{action}: {message}";
            _failuresThisPass[route.Destination] = error;
            if (!_reportedFailures.TryGetValue(route.Destination, out var reported) || reported != error)
            {
                LogRouteFailed(action, new RouteText(route, _links), message);
            }

            return false;
        }
    }
}
