using System.Net;

namespace CniV6.Core.Ipam;

/// <summary>No free address is left in <see cref="Pool"/>. Nothing was allocated and the store is unchanged.</summary>
public sealed class PoolExhaustedException : Exception
{
    public PoolExhaustedException(IPNetwork pool)
        : base($"no free address left in pool {pool}")
    {
        Pool = pool;
    }

    public IPNetwork Pool { get; }
}
