using System.Net;
using CniV6.Core.Ipam;
using CniV6.Core.Pod;
using CniV6.Netlink;
using CniV6.Plugin.Cli;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// The built-in IPAM of the network: used and free addresses per pool; leaked allocations by the very rule the
/// agent's reclaim applies (<see cref="LeakedAllocations"/>: the pod's network namespace provably gone, its host veth
/// gone, no ADD or DEL in flight — DEL and GC never came), those past the grace period being exactly what the agent
/// will release, those within it reported too; and host veths of this network (alias <c>cniv6 &lt;network&gt; …</c>)
/// that no allocation accounts for. Reads the store under its lock; changes nothing.
/// </summary>
internal sealed class IpamCheck : IDoctorCheck
{
    private static readonly TimeSpan StoreLockTimeout = TimeSpan.FromSeconds(10);

    public string Name => "ipam";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        var config = context.Config;
        if (config is null || context.NetworkName is not { } network)
        {
            return [DoctorFinding.Warn(Name, "no valid cniv6 configuration: IPAM not checked (see 'conflist')", null)];
        }

        if (!config.Ipam.IsBuiltIn && context.Network.DataDir is null)
        {
            return [DoctorFinding.Ok(Name, $"IPAM of network {network} is delegated to '{config.Ipam.Type}': not checked")];
        }

        var dataDir = context.Network.DataDir ?? config.Ipam.DataDir;
        var veths = context.Node.Links
            .Where(l => l.Kind == "veth" && l.Name.StartsWith(HostVethName.Prefix, StringComparison.Ordinal))
            .ToList();
        var grace = context.ReclaimGrace;
        IReadOnlyList<(Allocation, LeakState)> assessed = [];
        var free = new Dictionary<IPNetwork, UInt128>();
        if (Directory.Exists(Path.Combine(dataDir, network)))
        {
            using var store = IpamStore.Open(dataDir, network, StoreLockTimeout);
            assessed = LeakedAllocations.Assess(network, store.List(), DateTimeOffset.UtcNow, grace, new AttachmentLocks(AttachmentLocks.DefaultDirectory),
                () => context.Node.Links.Select(l => l.Name).ToHashSet(StringComparer.Ordinal));
            foreach (var pool in config.Ipam.Pools)
            {
                free[pool] = store.FreeAddresses(pool);
            }
        }
        else
        {
            foreach (var pool in config.Ipam.Pools)
            {
                free[pool] = UInt128.MaxValue;
            }
        }

        return Evaluate(network, config.Ipam.Pools, free, assessed, veths, DateTimeOffset.UtcNow, grace, context.Network.CommandSuffix());
    }

    /// <param name="free">Free addresses per pool; <see cref="UInt128.MaxValue"/> when the store does not exist yet.</param>
    /// <param name="assessed">Every allocation of the network with what <see cref="LeakedAllocations"/> says of it.</param>
    /// <param name="hostVeths">Links named like our host veths.</param>
    internal static IEnumerable<DoctorFinding> Evaluate(
        string network,
        IReadOnlyList<IPNetwork> pools,
        IReadOnlyDictionary<IPNetwork, UInt128> free,
        IReadOnlyList<(Allocation Allocation, LeakState State)> assessed,
        IReadOnlyList<LinkInfo> hostVeths,
        DateTimeOffset now,
        TimeSpan grace,
        string optionsSuffix)
    {
        const string check = "ipam";
        var allocations = assessed.Select(a => a.Allocation).ToList();
        foreach (var pool in pools)
        {
            var used = allocations.Count(a => a.Addresses.Any(x => Cidr.Contains(pool, x)));
            var left = free.GetValueOrDefault(pool, UInt128.MaxValue);
            var freeText = left == UInt128.MaxValue ? "no allocations yet" : $"{used} used, {left} free";
            if (left == 0)
            {
                yield return DoctorFinding.Fail(check, $"pool {Cidr.Format(pool)}: {freeText}: every ADD fails",
                    $"cniv6 ipam list{optionsSuffix}   # release leaked addresses, or give the network a larger pool");
            }
            else if (left != UInt128.MaxValue && left * 10 < (UInt128)used + left)
            {
                yield return DoctorFinding.Warn(check, $"pool {Cidr.Format(pool)}: {freeText} (less than 10 % left)",
                    $"cniv6 ipam list{optionsSuffix}   # release leaked addresses, or give the network a larger pool");
            }
            else
            {
                yield return DoctorFinding.Ok(check, $"pool {Cidr.Format(pool)}: {freeText}");
            }
        }

        var leaks = assessed.Where(a => a.State is LeakState.Leaked or LeakState.WithinGrace).ToList();
        foreach (var (leak, state) in leaks)
        {
            var age = AgeText.Format(now - leak.Created);
            var when = state == LeakState.Leaked
                ? $"{age} ago: cniv6-agent reclaims it on its next full resync"
                : $"{age} ago, within the {AgeText.Format(grace)} grace period: cniv6-agent reclaims it after that";
            yield return DoctorFinding.Warn(check,
                $"leak: {string.Join(", ", leak.Addresses)} held by {leak.ContainerId}/{leak.IfName}{(leak.Pod is { } pod ? $" (pod {pod})" : "")}: its netns and host veth are gone, no ADD or DEL in flight; allocated {when}",
                $"cniv6 ipam release {leak.ContainerId} --yes{optionsSuffix}");
        }

        var held = allocations.Select(a => (a.ContainerId, a.IfName)).ToHashSet();
        var orphans = hostVeths
            .Where(l => LinkAlias.TryParse(l.Alias, out var owner, out var containerId, out var ifName)
                        && owner == network && !held.Contains((containerId, ifName)))
            .ToList();
        foreach (var orphan in orphans)
        {
            yield return DoctorFinding.Warn(check, $"host veth {orphan.Name} ({orphan.Alias}) has no IPAM allocation", $"ip link del {orphan.Name}");
        }

        if (leaks.Count == 0 && orphans.Count == 0)
        {
            yield return DoctorFinding.Ok(check, $"{allocations.Count} allocations of network {network}, no leaks, no orphaned host veths");
        }
    }
}
