using System.Net;

namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>
/// The kernel routes BIRD installed for the bgp mode: main table, BIRD's protocol number and
/// <see cref="BirdConfigRenderer.KernelMetric"/> — that triple is what names a route as ours, since BIRD 2 cannot
/// write another protocol number. Used to start BIRD in graceful-restart recovery when its routes are still there,
/// and to sweep them after BIRD is stopped for good.
/// </summary>
internal interface IBgpKernelRoutes
{
    IReadOnlyList<IPNetwork> ListInstalled();

    /// <summary>Deletes every route listed; a route already gone is not an error.</summary>
    void DeleteInstalled();
}
