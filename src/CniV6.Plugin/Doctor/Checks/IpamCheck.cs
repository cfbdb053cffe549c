using System.Net;
using CniV6.Core.Ipam;
using CniV6.Core.Pod;
using CniV6.Netlink;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// The built-in IPAM of the network: used and free addresses per pool; leaked allocations (neither the pod's
/// network namespace nor its host veth exists any more — DEL and GC never came); and host veths of this network
/// (alias <c>cniv6 &lt;network&gt; …</c>) that no allocation accounts for. Reads the store under its lock; changes nothing.
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
        IReadOnlyList<Allocation> allocations = [];
        var free = new Dictionary<IPNetwork, UInt128>();
        if (Directory.Exists(Path.Combine(dataDir, network)))
        {
            using var store = IpamStore.Open(dataDir, network, StoreLockTimeout);
            allocations = store.List();
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

        var veths = context.Node.Links
            .Where(l => l.Kind == "veth" && l.Name.StartsWith(HostVethName.Prefix, StringComparison.Ordinal))
            .ToList();
        return Evaluate(network, config.Ipam.Pools, free, allocations, veths, netns => File.Exists(netns), context.Network.CommandSuffix());
    }

    /// <param name="free">Free addresses per pool; <see cref="UInt128.MaxValue"/> when the store does not exist yet.</param>
    /// <param name="hostVeths">Links named like our host veths.</param>
    internal static IEnumerable<DoctorFinding> Evaluate(
        string network,
        IReadOnlyList<IPNetwork> pools,
        IReadOnlyDictionary<IPNetwork, UInt128> free,
        IReadOnlyList<Allocation> allocations,
        IReadOnlyList<LinkInfo> hostVeths,
        Func<string, bool> netnsExists,
        string optionsSuffix)
    {
        const string check = "ipam";
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

        var vethNames = hostVeths.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var leaks = allocations
            .Where(a => (a.NetNs is null || !netnsExists(a.NetNs)) && !vethNames.Contains(HostVethName.For(a.ContainerId, a.IfName)))
            .ToList();
        foreach (var leak in leaks)
        {
            yield return DoctorFinding.Warn(check,
                $"leak: {string.Join(", ", leak.Addresses)} held by {leak.ContainerId}/{leak.IfName}{(leak.Pod is { } pod ? $" (pod {pod})" : "")}: its netns and host veth are gone",
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
