using System.Net;
using CniV6.Agent.Cluster;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane.Routing.HostGateway;

/// <summary>The routes this node should have to reach the pods of every other node (host-gw).</summary>
internal static class DesiredRoutes
{
    /// <summary>
    /// One route per pod CIDR of every other node, via that node's internal address of the same family, out of the
    /// local interface whose prefix holds that address. A CIDR whose node has no address of its family or whose
    /// address is not on a local segment is skipped and reported in <paramref name="unroutable"/>; a CIDR that
    /// overlaps this node's own pools is never routed away.
    /// </summary>
    public static IReadOnlyList<NodeRoute> Compute(ClusterState state, IReadOnlyList<LocalPrefix> localPrefixes, List<string>? unroutable = null)
    {
        var routes = new Dictionary<IPNetwork, NodeRoute>();
        foreach (var node in state.Nodes)
        {
            if (node.Name == state.LocalNodeName)
            {
                continue;
            }

            foreach (var cidr in node.PodCidrs)
            {
                if (state.LocalPools.Any(pool => Cidr.Overlaps(pool, cidr)))
                {
                    unroutable?.Add($"{node.Name} {cidr}: overlaps this node's pools");
                    continue;
                }

                var gateway = node.AddressOf(cidr.BaseAddress.AddressFamily);
                var onLink = gateway is null ? null : localPrefixes.FirstOrDefault(p => Cidr.Contains(p.Prefix, gateway));
                if (gateway is null || onLink is null)
                {
                    unroutable?.Add($"{node.Name} {cidr}: no {(gateway is null ? "address of its family" : $"local segment holding {gateway}")}");
                    continue;
                }

                // Two nodes claiming one CIDR is a cluster misconfiguration; the first (by name) keeps it, deterministically.
                routes.TryAdd(cidr, new NodeRoute(cidr, gateway, onLink.InterfaceIndex));
            }
        }

        return routes.Values.ToArray();
    }
}
