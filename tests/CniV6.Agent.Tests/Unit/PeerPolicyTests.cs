using System.Net;
using CniV6.Agent.Cluster;
using CniV6.Agent.Dataplane;

namespace CniV6.Agent.Tests.Unit;

/// <summary>What a peer Node may claim: its pod CIDRs become routes and NAT exclusions only when they take over nothing.</summary>
public sealed class PeerPolicyTests
{
    private static readonly IReadOnlyList<LocalPrefix> Links = new FakeRouteTable().ListLocalPrefixes();

    private static ClusterState With(ClusterNode peer, params string[] clusterCidrs) =>
        TestStates.Cluster(1, 1, 2) is var state
            ? state with { Nodes = [.. state.Nodes, peer], ClusterCidrs = [.. clusterCidrs.Select(IPNetwork.Parse)] }
            : throw new InvalidOperationException();

    private static ClusterNode Peer(string name, string address, params string[] cidrs) =>
        new(name, [IPAddress.Parse(address)], [.. cidrs.Select(IPNetwork.Parse)]);

    [Theory]
    [InlineData("::/0", "default route")]
    [InlineData("0.0.0.0/0", "default route")]
    [InlineData("2000::/3", "wider than /8")]
    [InlineData("fe80::/64", "link-local")]
    [InlineData("ff02::/16", "multicast")]
    [InlineData("fd00:10:244:1::/64", "this node's pool")]
    [InlineData("fd00:10:244::/48", "this node's pool")]
    [InlineData("fd00:a11::/64", "on-link at this node")]
    [InlineData("fd00:10:244:2::/64", "overlaps fd00:10:244:2::/64 of node n2")]
    [InlineData("fd00:10:245::/56", "wider than this node's own pool")]
    [InlineData("fd00:10:244:9::1/128", "too small")]
    public void Refuses_a_pod_cidr_that_would_take_over_other_traffic(string cidr, string why)
    {
        var (accepted, refused) = PeerPolicy.Screen(With(Peer("n9", "fd00:a11::19", cidr)), Links);

        var refusal = Assert.Single(refused);
        Assert.Equal("n9", refusal.Node);
        Assert.Contains(why, refusal.Reason, StringComparison.Ordinal);
        Assert.Empty(accepted.Nodes.Single(n => n.Name == "n9").PodCidrs);
        Assert.Equal(2, accepted.Nodes.Single(n => n.Name == "n2").PodCidrs.Count);
    }

    [Fact]
    public void With_cluster_cidrs_only_ranges_inside_them_are_accepted()
    {
        var state = With(Peer("n9", "fd00:a11::19", "fd00:10:244:9::/64", "fd00:99::/64", "10.244.9.0/24"), "fd00:10:244::/56", "10.244.0.0/16");

        var (accepted, refused) = PeerPolicy.Screen(state, Links);

        Assert.Equal([IPNetwork.Parse("fd00:10:244:9::/64"), IPNetwork.Parse("10.244.9.0/24")], accepted.Nodes.Single(n => n.Name == "n9").PodCidrs);
        var refusal = Assert.Single(refused);
        Assert.Equal("pod CIDR fd00:99::/64", refusal.Subject);
        Assert.Contains("outside the cluster pod CIDRs (fd00:10:244::/56)", refusal.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_peer_whose_address_is_this_nodes_own_is_refused_whole_and_the_others_stay()
    {
        var (accepted, refused) = PeerPolicy.Screen(With(Peer("n9", "fd00:a11::11", "fd00:10:244:9::/64")), Links);

        Assert.Equal("address fd00:a11::11", Assert.Single(refused).Subject);
        Assert.DoesNotContain(accepted.Nodes, n => n.Name == "n9");
        Assert.Contains(accepted.Nodes, n => n.Name == "n2");
    }

    [Theory]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.1.1")]
    [InlineData("224.0.0.1")]
    public void Addresses_no_route_can_go_via_are_dropped(string address)
    {
        var (accepted, refused) = PeerPolicy.Screen(With(Peer("n9", address, "fd00:10:244:9::/64")), Links);

        Assert.Equal($"address {address}", Assert.Single(refused).Subject);
        Assert.Empty(accepted.Nodes.Single(n => n.Name == "n9").InternalAddresses);
    }

    [Fact]
    public void Masquerade_exclusions_are_the_cluster_cidrs_whatever_the_peers_claim()
    {
        var state = With(Peer("n9", "fd00:a11::19", "::/0", "fd00:10:244:9::/64"), "fd00:10:244::/56", "10.244.0.0/16");

        var (accepted, _) = PeerPolicy.Screen(state, Links);

        Assert.Equal(
            ["fd00:10:244:1::/64", "fd00:10:244::/56", "10.244.0.0/16", "10.244.1.0/24"],
            accepted.ClusterPodCidrs.Select(c => c.ToString()).ToArray());
    }

    [Fact]
    public void Without_cluster_cidrs_the_exclusions_are_only_accepted_claims()
    {
        var (accepted, _) = PeerPolicy.Screen(With(Peer("n9", "fd00:a11::19", "::/0")), Links);

        Assert.DoesNotContain(IPNetwork.Parse("::/0"), accepted.ClusterPodCidrs);
        Assert.Equal(4, accepted.ClusterPodCidrs.Count);
    }
}
