namespace CniV6.Core.Ipam;

/// <summary>The validated content of a store: allocations and one next-fit cursor per pool ever used.</summary>
internal sealed record IpamState(IReadOnlyList<Allocation> Allocations, IReadOnlyList<PoolCursor> Cursors)
{
    public static IpamState Empty { get; } = new([], []);
}
