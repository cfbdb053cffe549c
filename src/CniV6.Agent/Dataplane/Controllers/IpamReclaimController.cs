using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
using CniV6.Core.Ipam;
using CniV6.Core.Pod;
using CniV6.Linux;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

/// <summary>
/// IPAM reclaimed without a runtime's GC: containerd never sends CNI GC (go-cni has no GC call), so addresses of pods
/// that vanished without DEL (a runtime crash, a node crash, a runtime bug) would leak until the pool is exhausted.
/// At start and on every full resync, for every network store under the IPAM data directory, the allocations
/// <see cref="LeakedAllocations"/> calls leaked are released, judged under the store's lock (so no ADD or DEL of that
/// network reserves or releases meanwhile) with the grace period <see cref="AgentOptions.IpamReclaimGrace"/>. The rule
/// lives in Core because <c>cniv6 doctor</c> applies the very same one: what it reports as a leak is what this reclaims.
/// An ADD in flight is never touched: the runtime creates the namespace before ADD and the plugin holds it open
/// throughout, so its path exists while the ADD runs; an ADD whose namespace the runtime removed mid-way is younger
/// than the grace period. Failures are logged and counted, never a failed sync: reclaiming is housekeeping, and a
/// node must not lose readiness over it.
/// </summary>
internal sealed partial class IpamReclaimController(
    AgentOptions options,
    AgentMetrics metrics,
    TimeProvider time,
    ILogger<IpamReclaimController> logger,
    Func<IReadOnlySet<string>>? listHostLinks = null) : IDataplaneController
{
    /// <summary>How long a pass waits for a network's store; a busy store is simply tried again next resync.</summary>
    private static readonly TimeSpan StoreLockTimeout = TimeSpan.FromSeconds(5);

    private const string StateFileName = "state.json";

    private bool _ranOnce;

    public string Name => "ipam-reclaim";

    public void Reconcile(SyncContext sync)
    {
        if (!options.IpamReclaim || (_ranOnce && !sync.Full))
        {
            return;
        }

        _ranOnce = true;
        foreach (var network in Networks())
        {
            try
            {
                Reclaim(network);
            }
            catch (TimeoutException)
            {
                LogStoreBusy(network, StoreLockTimeout.TotalSeconds);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                metrics.IpamReclaimFailed();
                LogReclaimFailed(network, e.Message);
            }
        }
    }

    /// <summary>The networks with a store under the data directory: real directories with a network's name and a state file.</summary>
    private IEnumerable<string> Networks()
    {
        if (!PosixFile.TryStat(options.IpamDataDir, followSymlinks: true, out var dataDir) || dataDir.Type != PosixFileType.Directory)
        {
            return [];
        }

        return Directory.EnumerateDirectories(options.IpamDataDir)
                        .Select(Path.GetFileName)
                        .OfType<string>()
                        .Where(AttachmentIds.IsValidNetworkName)
                        .Where(name => PosixFile.TryStat(Path.Combine(options.IpamDataDir, name), followSymlinks: false, out var dir) && dir.Type == PosixFileType.Directory
                                       && PosixFile.TryStat(Path.Combine(options.IpamDataDir, name, StateFileName), followSymlinks: false, out var state)
                                       && state.Type == PosixFileType.RegularFile)
                        .Order(StringComparer.Ordinal)
                        .ToArray();
    }

    private void Reclaim(string network)
    {
        using var store = IpamStore.Open(options.IpamDataDir, network, StoreLockTimeout);
        // Claims a killed plugin left without a record were never any pod's: freed under the same lock.
        foreach (var address in store.RemoveCrashResidue())
        {
            LogResidueRemoved(network, address);
        }

        var now = time.GetUtcNow();
        var assessed = LeakedAllocations.Assess(network, store.List(), now, options.IpamReclaimGrace,
                                                new AttachmentLocks(AttachmentLocks.DefaultDirectory), listHostLinks);
        foreach (var (allocation, state) in assessed)
        {
            if (state != LeakState.Leaked || !store.Release(allocation.ContainerId, allocation.IfName))
            {
                continue;
            }

            metrics.IpamReclaimed();
            var pod = allocation.Pod is { } reference ? $"pod {reference.Namespace}/{reference.Name}" : "pod unknown";
            LogReclaimed(network, allocation.ContainerId, allocation.IfName, pod, string.Join(", ", allocation.Addresses),
                         allocation.NetNs!, HostVethName.For(allocation.ContainerId, allocation.IfName), (now - allocation.Created).TotalSeconds);
        }
    }
}
