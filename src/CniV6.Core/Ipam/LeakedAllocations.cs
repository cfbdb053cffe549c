using CniV6.Core.Pod;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.Core.Ipam;

/// <summary>
/// The one rule for an allocation whose pod vanished without DEL (a runtime or node crash): the agent's IPAM reclaim
/// releases exactly the allocations this calls <see cref="LeakState.Leaked"/>, and <c>cniv6 doctor</c> reports the
/// same ones (plus those still <see cref="LeakState.WithinGrace"/>), so what doctor calls a leak is what the agent
/// will reclaim. An allocation is leaked when all of these hold:
/// <list type="bullet">
/// <item>its pod's network namespace path is gone — positively: the path's directory is there and the path is not.
/// A path this process cannot judge (no netns recorded, a relative path, a /proc/PID path of a process it cannot
/// see, a directory not mounted in) keeps the allocation;</item>
/// <item>its host veth (<see cref="HostVethName"/>) is gone from this node;</item>
/// <item>no ADD or DEL of the attachment holds the plugin's attachment lock (<see cref="AttachmentLocks.InFlight"/>);</item>
/// <item>it is older than the grace period, far longer than an ADD takes.</item>
/// </list>
/// </summary>
public static class LeakedAllocations
{
    /// <summary>The agent's default grace period (<c>Ipam:ReclaimGraceSeconds</c>).</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(60);

    /// <summary>What the node says about one allocation: the facts the rule weighs, read by <see cref="Assess"/> or given by a test.</summary>
    /// <param name="NetnsGone">The namespace path provably no longer exists (<see cref="IsNetnsGone"/>).</param>
    /// <param name="HostVethPresent">A link with the attachment's host veth name exists on this node.</param>
    /// <param name="InFlight">An ADD or DEL of the attachment holds its lock right now.</param>
    public readonly record struct Evidence(bool NetnsGone, bool HostVethPresent, bool InFlight);

    /// <summary>The pure rule: the first reason to keep the allocation, or <see cref="LeakState.Leaked"/>.</summary>
    public static LeakState Classify(Allocation allocation, Evidence evidence, DateTimeOffset now, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(allocation);
        if (!evidence.NetnsGone)
        {
            return LeakState.NetnsPresentOrUnknown;
        }

        if (evidence.HostVethPresent)
        {
            return LeakState.HostVethPresent;
        }

        if (evidence.InFlight)
        {
            return LeakState.InFlight;
        }

        return now - allocation.Created < grace ? LeakState.WithinGrace : LeakState.Leaked;
    }

    /// <summary>
    /// Reads the node and classifies every allocation of <paramref name="network"/>. Call it with the network's store
    /// lock held (so no ADD or DEL reserves or releases meanwhile): the namespaces are judged first, the host's links
    /// and the attachment locks read after them, so a veth that appears after the link read belongs to an ADD that
    /// reserved before the store lock was taken, whose namespace was seen existing.
    /// </summary>
    /// <param name="hostLinkNames">The names of this node's links; null reads them over rtnetlink.</param>
    public static IReadOnlyList<(Allocation Allocation, LeakState State)> Assess(
        string network,
        IReadOnlyList<Allocation> allocations,
        DateTimeOffset now,
        TimeSpan grace,
        AttachmentLocks locks,
        Func<IReadOnlySet<string>>? hostLinkNames = null)
    {
        ArgumentNullException.ThrowIfNull(allocations);
        ArgumentNullException.ThrowIfNull(locks);
        var gone = allocations.Select(a => a.NetNs is { } netns && IsNetnsGone(netns)).ToArray();
        if (!gone.Any(g => g))
        {
            return [.. allocations.Select(a => (a, LeakState.NetnsPresentOrUnknown))];
        }

        var links = (hostLinkNames ?? ReadHostLinkNames)();
        var inFlight = locks.InFlight(network);
        return [.. allocations.Select((a, i) => (a, Classify(a,
            new Evidence(gone[i], links.Contains(HostVethName.For(a.ContainerId, a.IfName)), inFlight.Contains((a.ContainerId, a.IfName))),
            now, grace)))];
    }

    /// <summary>True only when the namespace path provably no longer exists: its directory is there, the path is not.</summary>
    public static bool IsNetnsGone(string netnsPath)
    {
        ArgumentNullException.ThrowIfNull(netnsPath);
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

    private static IReadOnlySet<string> ReadHostLinkNames()
    {
        using var netlink = RtNetlink.Open();
        return netlink.ListLinks().Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
    }
}
