using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Cluster;
using k8s.Models;

namespace CniV6.Agent.Kubernetes;

/// <summary>Reads what pod networking needs out of a Kubernetes Node object.</summary>
internal static class NodeConversion
{
    /// <summary>
    /// InternalIP addresses (IPv6 first, so a dual-stack node is reached over IPv6 where both exist) and
    /// <c>spec.podCIDRs</c> (falling back to the older single <c>spec.podCIDR</c>). Unparsable values are dropped,
    /// not fatal: one bad Node must not stop routing to all the others.
    /// </summary>
    public static ClusterNode ToClusterNode(V1Node node)
    {
        var addresses = (node.Status?.Addresses ?? [])
            .Where(a => a.Type == "InternalIP")
            .Select(a => IPAddress.TryParse(a.Address, out var ip) ? ip : null)
            .OfType<IPAddress>()
            .Distinct()
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetworkV6 ? 0 : 1)
            .ToArray();

        var podCidrs = PodCidrTexts(node)
            .Select(c => IPNetwork.TryParse(c, out var network) ? (IPNetwork?)network : null)
            .OfType<IPNetwork>()
            .Distinct()
            .ToArray();

        return new ClusterNode(node.Metadata?.Name ?? "", addresses, podCidrs);
    }

    /// <summary><c>spec.podCIDRs</c> as written (falling back to the older single <c>spec.podCIDR</c>).</summary>
    public static IReadOnlyList<string> PodCidrTexts(V1Node node) =>
        node.Spec?.PodCIDRs is { Count: > 0 } list ? [.. list] : node.Spec?.PodCIDR is { } single ? [single] : [];
}
