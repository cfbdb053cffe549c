using System.Net;
using CniV6.Core.Config;
using CniV6.Netlink;

namespace CniV6.Agent.Cluster;

/// <summary>
/// This node's own pod CIDRs become the plugin's <c>ipam.pools</c>, so they are held to exactly the rules the plugin
/// applies to that field (<see cref="IpamConfigParser"/>: strict CIDR text without host bits, a usable range — not
/// <c>::/0</c>, link-local, multicast, loopback or a /128 — and at most one pool per family). Whatever the plugin would
/// refuse on every ADD the agent refuses up front: it is never written to the conflist and never reported Ready.
/// </summary>
internal static class LocalPoolRule
{
    /// <summary>Why the plugin would refuse <paramref name="cidrs"/> (as the Node object spells them) as its pools, or null.</summary>
    public static string? Problem(IReadOnlyList<string> cidrs)
    {
        if (cidrs.Count == 0)
        {
            return "there are none";
        }

        if (cidrs.Count > 2)
        {
            return $"{cidrs.Count} pod CIDRs; at most one IPv6 and one IPv4 pool are supported";
        }

        var pools = new List<IPNetwork>(cidrs.Count);
        foreach (var text in cidrs)
        {
            if (!Cidr.TryParseNetwork(text, out var pool, out var problem))
            {
                return $"\"{Truncate(text)}\" is not a pool: {problem}";
            }

            if (IpamConfigParser.UnusableReason(pool) is { } reason)
            {
                return reason;
            }

            if (pools.Any(p => p.BaseAddress.AddressFamily == pool.BaseAddress.AddressFamily))
            {
                return $"{pool} is a second pool of its address family; at most one per family is supported";
            }

            pools.Add(pool);
        }

        return null;
    }

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
