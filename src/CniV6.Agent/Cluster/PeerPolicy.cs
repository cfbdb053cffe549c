using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Dataplane;
using CniV6.Core.Config;
using CniV6.Netlink;

namespace CniV6.Agent.Cluster;

/// <summary>
/// What this node accepts from its peers. Node objects are written by whoever can patch a Node (a compromised
/// kubelet, a confused operator), so a peer's pod CIDR becomes a route and a masquerade exclusion only when it
/// cannot take over anything else: no default route, no reserved or over-wide range, nothing overlapping this
/// node's pools or links or another peer's CIDR, and inside the cluster's pod CIDRs when those are known. A peer
/// whose address is one of this node's own is refused whole (a route via ourselves fails and loops).
/// </summary>
internal static class PeerPolicy
{
    /// <summary>The state with only what passed, and everything refused (in node-name order).</summary>
    public static (ClusterState Accepted, IReadOnlyList<PeerRefusal> Refused) Screen(ClusterState state, IReadOnlyList<LocalPrefix> localPrefixes)
    {
        var refused = new List<PeerRefusal>();
        var accepted = new List<ClusterNode>(state.Nodes.Count);
        var claimed = new ClaimedCidrs();
        var ownAddresses = localPrefixes.Select(p => p.Address).ToHashSet();
        foreach (var node in state.Nodes)
        {
            if (node.Name == state.LocalNodeName)
            {
                accepted.Add(node);
                continue;
            }

            if (node.Name.Length == 0)
            {
                refused.Add(new PeerRefusal(node.Name, "node", "it has no name"));
                continue;
            }

            if (node.InternalAddresses.FirstOrDefault(ownAddresses.Contains) is { } own)
            {
                refused.Add(new PeerRefusal(node.Name, $"address {own}", "it is one of this node's own addresses"));
                continue;
            }

            var addresses = new List<IPAddress>(node.InternalAddresses.Count);
            foreach (var address in node.InternalAddresses)
            {
                if (UnroutableAddressReason(address) is { } reason)
                {
                    refused.Add(new PeerRefusal(node.Name, $"address {address}", reason));
                }
                else
                {
                    addresses.Add(address);
                }
            }

            var cidrs = new List<IPNetwork>(node.PodCidrs.Count);
            foreach (var cidr in node.PodCidrs)
            {
                if (CidrReason(cidr, state, localPrefixes, claimed) is { } reason)
                {
                    refused.Add(new PeerRefusal(node.Name, $"pod CIDR {cidr}", reason));
                }
                else
                {
                    cidrs.Add(cidr);
                    claimed.Add(node.Name, cidr);
                }
            }

            accepted.Add(new ClusterNode(node.Name, addresses, cidrs));
        }

        // Nothing refused: the very same state, so value comparisons and change detection downstream see no difference.
        return (refused.Count == 0 ? state : state with { Nodes = accepted }, refused);
    }

    private static string? CidrReason(IPNetwork cidr, ClusterState state, IReadOnlyList<LocalPrefix> localPrefixes,
                                      ClaimedCidrs claimed)
    {
        if (cidr.PrefixLength == 0)
        {
            return "it is a default route";
        }

        if (IpamConfigParser.UnusableReason(cidr) is { } unusable)
        {
            return unusable;
        }

        foreach (var pool in state.LocalPools.Where(pool => Cidr.Overlaps(pool, cidr)))
        {
            return $"it overlaps this node's pool {pool}";
        }

        if (localPrefixes.FirstOrDefault(p => Cidr.Overlaps(p.Prefix, cidr)) is { } link)
        {
            return $"it overlaps {link.Prefix}, on-link at this node (interface {link.Device})";
        }

        var family = cidr.BaseAddress.AddressFamily;
        var clusterCidrs = state.ClusterCidrs.Where(c => c.BaseAddress.AddressFamily == family).ToArray();
        if (clusterCidrs.Length > 0)
        {
            if (!clusterCidrs.Any(c => c.PrefixLength <= cidr.PrefixLength && Cidr.Contains(c, cidr.BaseAddress)))
            {
                return $"it lies outside the cluster pod CIDRs ({string.Join(", ", clusterCidrs)})";
            }
        }
        else if (state.LocalPools.Where(p => p.BaseAddress.AddressFamily == family).Select(p => (IPNetwork?)p).FirstOrDefault() is { } ownPool
                 && cidr.PrefixLength < ownPool.PrefixLength)
        {
            // Without the cluster CIDR, the node IPAM's uniform per-node size is the best bound there is: a peer's
            // range wider than ours is a claim on address space that no node allocator hands out.
            return $"it is wider than this node's own pool {ownPool} and no cluster pod CIDR is configured to check it against";
        }

        return claimed.Overlapping(cidr) is { } earlier
            ? $"it overlaps {earlier.Cidr} of node {earlier.Node}, which keeps it"
            : null;
    }

    private static string? UnroutableAddressReason(IPAddress address)
    {
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return "it is loopback or unspecified";
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && (address.IsIPv6LinkLocal || address.IsIPv6Multicast || address.IsIPv4MappedToIPv6))
        {
            return "it is link-local, multicast or IPv4-mapped, which no route can use as a node gateway";
        }

        return address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes() is [>= 224, ..] or [169, 254, ..]
            ? "it is link-local, multicast or reserved, which no route can use as a node gateway"
            : null;
    }
}
