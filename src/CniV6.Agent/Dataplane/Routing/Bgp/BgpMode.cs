using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>
/// <c>bgp</c>: pod CIDRs are announced and learned over BGP by BIRD 2 (<see cref="BirdSupervisor"/>), with no
/// encapsulation, so the pod MTU is the uplink's. Each sync renders BIRD's configuration from the screened cluster
/// state (<see cref="BirdConfigRenderer"/>) and hands it to the running BIRD; the routes themselves are BIRD's
/// (main table, protocol bird, metric 198 — see <see cref="IBgpKernelRoutes"/>). Readiness means BIRD is up and
/// runs this configuration; a peer whose session is down makes nothing unready (its state is in the metrics).
/// </summary>
internal sealed partial class BgpMode(BgpOptions options, IBirdDaemon bird, IBgpKernelRoutes kernelRoutes, ILogger<BgpMode> logger) : IRoutingMode
{
    public const string ModeName = "bgp";

    private HashSet<string> _reportedUnroutable = [];

    public string Name => ModeName;

    public int PodMtuOverhead(SyncContext sync) => 0;

    public void Reconcile(SyncContext sync)
    {
        var config = BirdConfigRenderer.Render(sync.State, sync.LocalPrefixes, options);
        foreach (var reason in config.Unroutable.Where(r => !_reportedUnroutable.Contains(r)))
        {
            LogUnroutable(reason);
        }

        _reportedUnroutable = [.. config.Unroutable];
        bird.Apply(config);
    }

    /// <summary>
    /// Stops BIRD (a clean shutdown withdraws this node's routes from its peers and takes BIRD's routes out of the
    /// kernel), then deletes any of BIRD's routes still there — BIRD may have been dead already.
    /// </summary>
    public void Remove()
    {
        bird.Stop();
        kernelRoutes.DeleteInstalled();
        LogRemoved();
    }
}
