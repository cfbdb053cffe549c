using System.Net;
using System.Net.Sockets;
using CniV6.Netlink;

namespace CniV6.Core.Ipam;

/// <summary>
/// Next-fit allocation inside one pool. The cursor is the offset of the address handed out last, so a
/// released address is reused only after the cursor has gone round the pool once (a just-freed address is
/// not given to the next pod while stale conntrack entries or neighbour caches may still point at it).
/// </summary>
internal sealed class PoolCursor
{
    // Offset 0 is the network address (IPv6 subnet-router anycast) and never handed out.
    private const int FirstUsableOffset = 1;

    public PoolCursor(IPNetwork pool, UInt128 lastOffset)
    {
        Pool = pool;
        LastOffset = lastOffset;
        UInt128 size = Cidr.Size(pool);
        // IPv4 also keeps the broadcast (last) address free.
        UInt128 reservedAtEnd = pool.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? UInt128.One : UInt128.Zero;
        UInt128 end = size - reservedAtEnd; // exclusive
        UsableCount = end > FirstUsableOffset ? end - FirstUsableOffset : UInt128.Zero;
    }

    public IPNetwork Pool { get; }

    /// <summary>Offset of the last address handed out; 0 before the first allocation.</summary>
    public UInt128 LastOffset { get; private set; }

    public UInt128 UsableCount { get; }

    /// <summary>
    /// Finds the next free address after the cursor, wrapping round. Every probe that fails hits a
    /// distinct used address of this pool, so the loop ends after at most (used in pool + 1) probes when
    /// there is room and after <see cref="UsableCount"/> probes when the pool is full.
    /// The cursor moves only when an address is returned, so a failed attempt leaves no trace.
    /// </summary>
    public bool TryFindFree(IReadOnlySet<IPAddress> used, out IPAddress address, out UInt128 offset) =>
        TryTake(candidate => !used.Contains(candidate), out address, out offset);

    /// <summary>
    /// Like <see cref="TryFindFree"/>, with "free" decided by <paramref name="tryTake"/>, which takes the address when
    /// it can (the store creates the address's claim file): the first address after the cursor it takes is returned.
    /// </summary>
    public bool TryTake(Func<IPAddress, bool> tryTake, out IPAddress address, out UInt128 offset)
    {
        UInt128 candidate = LastOffset;
        for (UInt128 probe = 0; probe < UsableCount; probe++)
        {
            candidate = candidate + 1 >= FirstUsableOffset + UsableCount || candidate < FirstUsableOffset
                ? FirstUsableOffset
                : candidate + 1;
            IPAddress candidateAddress = Cidr.AddressAt(Pool, candidate);
            if (tryTake(candidateAddress))
            {
                address = candidateAddress;
                offset = candidate;
                return true;
            }
        }

        address = IPAddress.None;
        offset = 0;
        return false;
    }

    public void MoveTo(UInt128 offset) => LastOffset = offset;
}
