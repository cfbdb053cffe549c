using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
using CniV6.Core.Ipam;
using CniV6.Core.Pod;
using CniV6.Linux;
using CniV6.Netlink;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

/// <summary>
/// IPAM reclaimed without a runtime's GC: containerd never sends CNI GC (go-cni has no GC call), so addresses of pods
/// that vanished without DEL (a runtime crash, a node crash, a runtime bug) would leak until the pool is exhausted.
/// At start and on every full resync, for every network store under the IPAM data directory, an allocation is
/// released when all of these hold, checked under the store's lock (so no ADD or DEL of that network reserves or
/// releases meanwhile):
/// <list type="bullet">
/// <item>it is older than the grace period (<see cref="AgentOptions.IpamReclaimGrace"/>), far longer than an ADD takes;</item>
/// <item>its pod's network namespace path is gone — positively: the path's directory is there and the path is not.
/// A path this process cannot judge (no netns recorded, a relative path, a /proc/PID path of a process it cannot
/// see, a directory not mounted into the agent) keeps the allocation;</item>
/// <item>its host veth (<see cref="HostVethName"/>) is gone from this node.</item>
/// </list>
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

    private readonly Func<IReadOnlySet<string>> _listHostLinks = listHostLinks ?? ListHostLinks;
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
        var candidates = store.List().Where(a => now - a.Created >= options.IpamReclaimGrace && a.NetNs is { } netns && IsGone(netns)).ToArray();
        if (candidates.Length == 0)
        {
            return;
        }

        // Read under the lock, after the namespaces: a veth that appears after this read belongs to an ADD that
        // reserved before the lock was taken, whose namespace was seen existing above.
        var hostLinks = _listHostLinks();
        // And the plugin's own word: an attachment whose ADD or DEL holds its lock is in flight, whatever else says.
        var inFlight = new AttachmentLocks(AttachmentLocks.DefaultDirectory).InFlight(network);
        foreach (var allocation in candidates)
        {
            var veth = HostVethName.For(allocation.ContainerId, allocation.IfName);
            if (hostLinks.Contains(veth) || inFlight.Contains((allocation.ContainerId, allocation.IfName))
                || !store.Release(allocation.ContainerId, allocation.IfName))
            {
                continue;
            }

            metrics.IpamReclaimed();
            var pod = allocation.Pod is { } reference ? $"pod {reference.Namespace}/{reference.Name}" : "pod unknown";
            LogReclaimed(network, allocation.ContainerId, allocation.IfName, pod, string.Join(", ", allocation.Addresses),
                         allocation.NetNs!, veth, (now - allocation.Created).TotalSeconds);
        }
    }

    /// <summary>True only when the namespace path provably no longer exists: its directory is there, the path is not.</summary>
    internal static bool IsGone(string netnsPath)
    {
        if (!Path.IsPathFullyQualified(netnsPath) || Path.GetDirectoryName(netnsPath) is not { Length: > 0 } directory)
        {
            return false;
        }

        if (!PosixFile.TryStat(directory, followSymlinks: true, out var parent) || parent.Type != PosixFileType.Directory)
        {
            return false;
        }

        try
        {
            PosixFile.Stat(netnsPath, followSymlinks: false);
            return false;
        }
        catch (FileNotFoundException)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static IReadOnlySet<string> ListHostLinks()
    {
        using var netlink = RtNetlink.Open();
        return netlink.ListLinks().Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
    }
}
