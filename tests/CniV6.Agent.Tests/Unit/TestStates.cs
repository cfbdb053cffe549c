using System.Net;
using CniV6.Agent.Cluster;

namespace CniV6.Agent.Tests.Unit;

/// <summary>A small dual-stack cluster on one segment (fd00:a11::/64, 10.99.0.0/24), as kind builds it.</summary>
internal static class TestStates
{
    public static ClusterNode Node(int n) => new(
        $"n{n}",
        [IPAddress.Parse($"fd00:a11::{10 + n}"), IPAddress.Parse($"10.99.0.{10 + n}")],
        [IPNetwork.Parse($"fd00:10:244:{n}::/64"), IPNetwork.Parse($"10.244.{n}.0/24")]);

    public static ClusterState Cluster(int self, params int[] nodes) =>
        ClusterState.Create($"n{self}", Node(self).PodCidrs, nodes.Select(Node));
}
