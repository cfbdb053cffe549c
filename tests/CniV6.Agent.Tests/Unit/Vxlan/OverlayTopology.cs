using System.Net;
using CniV6.Agent.Cluster;
using CniV6.Agent.Dataplane;

namespace CniV6.Agent.Tests.Unit.Vxlan;

/// <summary>
/// n1 (this node) and n2 share segment A (fd00:a11::/64, 10.99.0.0/24, MTU 1500 on link #2); n3 and n4 sit behind a
/// router on segment B (fd00:b22::/64, 10.98.0.0/24). Every node is dual-stack with pod CIDRs
/// fd00:10:244:N::/64 and 10.244.N.0/24.
/// </summary>
internal static class OverlayTopology
{
    public static readonly LocalPrefix[] Uplink =
    [
        LocalPrefix.Of(2, IPAddress.Parse("fd00:a11::11"), 64, 1500),
        LocalPrefix.Of(2, IPAddress.Parse("10.99.0.11"), 24, 1500),
    ];

    public static ClusterNode Node(int n) => new(
        $"n{n}",
        n <= 2
            ? [IPAddress.Parse($"fd00:a11::{10 + n}"), IPAddress.Parse($"10.99.0.{10 + n}")]
            : [IPAddress.Parse($"fd00:b22::{10 + n}"), IPAddress.Parse($"10.98.0.{10 + n}")],
        [IPNetwork.Parse($"fd00:10:244:{n}::/64"), IPNetwork.Parse($"10.244.{n}.0/24")]);

    public static ClusterState Topology(params ClusterNode[] peers) =>
        ClusterState.Create("n1", Node(1).PodCidrs, [Node(1), .. peers]);

    public static ClusterState Topology(params int[] peers) => Topology(peers.Select(Node).ToArray());
}
