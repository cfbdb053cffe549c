using System.Net;
using CniV6.Core.Config;
using CniV6.Core.Ipam;
using CniV6.Linux;
using CniV6.Plugin.Cni;

namespace CniV6.Plugin.Ipam;

/// <summary>
/// <see cref="IIpam"/> over the network's <see cref="IpamStore"/> (<c>ipam.type</c> "cniv6"): every operation
/// holds the store's file lock. A store that cannot be read or written (corrupt, read-only, full) is code 5 naming
/// the store and the reason; it is never reset or worked around.
/// </summary>
internal sealed class BuiltInIpam(NetworkConfig config, TimeSpan storeLockTimeout) : IIpam
{
    /// <summary>How long an invocation waits for another one holding the same network's IPAM store.</summary>
    public static readonly TimeSpan DefaultStoreLockTimeout = TimeSpan.FromSeconds(30);

    public BuiltInIpam(NetworkConfig config)
        : this(config, DefaultStoreLockTimeout)
    {
    }

    public IReadOnlyList<IPNetwork> ConfiguredPools => config.Ipam.Pools;

    public IpamResult Reserve(CniRequest request)
    {
        try
        {
            var allocation = WithStore(store => store.Allocate(
                request.ContainerId, request.IfName, config.Ipam.Pools, request.NetNs, PodReference.FromCniArgs(request.Args)));
            return IpamResult.From(allocation, config.Ipam.Pools);
        }
        catch (PoolExhaustedException e)
        {
            throw new CniException(CniErrorCode.PoolExhausted, e.Message, $"network {config.Name}");
        }
    }

    public void Release(CniRequest request) => WithStore(store => store.Release(request.ContainerId, request.IfName));

    public IReadOnlyList<string> Check(CniRequest request, IReadOnlySet<IPAddress> expected)
    {
        var allocation = WithStore(store => store.Find(request.ContainerId, request.IfName));
        if (allocation is null)
        {
            return [$"no IPAM allocation for {request.ContainerId}/{request.IfName}"];
        }

        return expected.SetEquals(allocation.Addresses)
            ? []
            : [$"IPAM holds {string.Join(", ", allocation.Addresses)} but prevResult has {string.Join(", ", expected)}"];
    }

    public void Status(CniRequest request)
    {
        try
        {
            using var store = IpamStore.Open(config.Ipam.DataDir, config.Name, storeLockTimeout);
            var exhausted = config.Ipam.Pools.Where(pool => store.FreeAddresses(pool) == 0).ToList();
            if (exhausted.Count > 0)
            {
                throw new CniException(CniErrorCode.PluginNotAvailable, "no free addresses left in " + string.Join(", ", exhausted),
                    $"network {config.Name}");
            }
        }
        catch (Exception e) when (e is not CniException)
        {
            throw new CniException(CniErrorCode.PluginNotAvailable, "IPAM store is not usable: " + e.Message, e.ToString());
        }
    }

    public IReadOnlyList<Allocation> CollectGarbage(CniRequest request, Func<IReadOnlySet<(string ContainerId, string IfName)>> sweepLinks)
    {
        // Under the network's store lock throughout, so no ADD or DEL of this network reserves or releases
        // addresses while GC decides what is leaked. A store that cannot be opened still gets its links swept.
        var swept = false;
        try
        {
            return WithStore(store =>
            {
                var keep = sweepLinks();
                swept = true;
                return store.ReleaseAllExcept([.. keep]);
            });
        }
        catch (CniException) when (!swept)
        {
            sweepLinks();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> on the network's locked store, mapping store failures to code 5.</summary>
    private T WithStore<T>(Func<IpamStore, T> work)
    {
        try
        {
            using var store = IpamStore.Open(config.Ipam.DataDir, config.Name, storeLockTimeout);
            return work(store);
        }
        catch (TimeoutException e)
        {
            // Another invocation of this network holds the store (a slow ADD, a hung process): the runtime retries.
            throw new CniException(CniErrorCode.TryAgainLater,
                $"IPAM store of network {config.Name} is busy: another invocation held its lock for more than {storeLockTimeout.TotalSeconds:0.#} s; try again later",
                e.Message, e);
        }
        catch (IpamStoreCorruptException e)
        {
            throw new CniException(CniErrorCode.IoFailure, e.Message, "fix or remove the file; it is never reset automatically", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LinuxException)
        {
            throw new CniException(CniErrorCode.IoFailure, $"IPAM store in {config.Ipam.DataDir} is not usable: {e.Message}", e.GetType().Name, e);
        }
    }
}
