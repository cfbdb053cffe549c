using System.Net;
using CniV6.Agent.Cluster;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Tests.Infrastructure;
using CniV6.Netlink;

namespace CniV6.Agent.Tests.Unit;

/// <summary>
/// The overlap check between peers' pod CIDRs answers like comparing with every earlier claim, and its cost does not
/// grow with the claims: a screen of thousands of peers is linear (it was quadratic: 25 s to Ready with 5000 peers).
/// </summary>
public sealed class ClaimedCidrsTests
{
    [Theory]
    [InlineData("fd00:10:244:2::/64", "fd00:10:244:2::/64")]
    [InlineData("fd00:10:244:2:8000::/65", "fd00:10:244:2::/64")]
    [InlineData("fd00:10:244::/56", "fd00:10:244:2::/64")]
    [InlineData("fd00:10:244:2::/63", "fd00:10:244:2::/64")]
    [InlineData("10.244.2.128/25", "10.244.2.0/24")]
    [InlineData("10.0.0.0/8", "10.244.2.0/24")]
    public void Finds_the_claim_a_block_overlaps(string block, string expected)
    {
        var claimed = new ClaimedCidrs();
        claimed.Add("n2", IPNetwork.Parse("fd00:10:244:2::/64"));
        claimed.Add("n2", IPNetwork.Parse("10.244.2.0/24"));
        claimed.Add("n3", IPNetwork.Parse("fd00:10:244:3::/64"));

        var overlap = claimed.Overlapping(IPNetwork.Parse(block));

        Assert.NotNull(overlap);
        Assert.Equal(IPNetwork.Parse(expected), overlap.Value.Cidr);
    }

    [Theory]
    [InlineData("fd00:10:244:1::/64")]
    [InlineData("fd00:10:244:4::/62")]
    [InlineData("fd00:10:245::/56")]
    [InlineData("10.244.3.0/24")]
    [InlineData("10.244.1.0/24")]
    [InlineData("::ffff:10.244.2.0/120")]
    public void A_block_beside_every_claim_overlaps_none(string block)
    {
        var claimed = new ClaimedCidrs();
        claimed.Add("n2", IPNetwork.Parse("fd00:10:244:2::/64"));
        claimed.Add("n2", IPNetwork.Parse("10.244.2.0/24"));
        claimed.Add("n3", IPNetwork.Parse("fd00:10:244:3::/64"));

        Assert.Null(claimed.Overlapping(IPNetwork.Parse(block)));
    }

    [Fact]
    public void Agrees_with_comparing_every_pair_on_random_blocks()
    {
        var random = new Random(14);
        var claimed = new ClaimedCidrs();
        var naive = new List<IPNetwork>();
        for (var i = 0; i < 4000; i++)
        {
            // Narrow address space and mixed lengths, so containment both ways and identical blocks all occur.
            var v6 = random.Next(2) == 0;
            var block = v6
                ? Cidr.NetworkOf(IPAddress.Parse($"fd00:10:{random.Next(4):x}:{random.Next(256):x}::"), random.Next(44, 66))
                : Cidr.NetworkOf(IPAddress.Parse($"10.{random.Next(4)}.{random.Next(256)}.{random.Next(256)}"), random.Next(12, 28));
            var expected = naive.Where(c => Cidr.Overlaps(c, block)).ToArray();
            var found = claimed.Overlapping(block);
            if (expected.Length == 0)
            {
                Assert.Null(found);
                claimed.Add($"n{i}", block);
                naive.Add(block);
            }
            else
            {
                Assert.NotNull(found);
                Assert.Contains(found.Value.Cidr, expected);
            }
        }

        Assert.True(naive.Count > 100, $"only {naive.Count} blocks were claimed; the test exercised little");
    }

    [Fact]
    public void Screening_20000_peers_takes_time_linear_in_the_peers()
    {
        // 20 000 peers with 40 000 CIDRs: the pairwise check made 800 million comparisons (about a minute of CPU); the
        // lookups take a fraction of a second. CPU time, not wall-clock time: the machine may be shared.
        var nodes = Enumerable.Range(0, 20_000).Select(i => new ClusterNode(
            $"n{i:D5}",
            [IPAddress.Parse($"fd00:a11::{i + 16:x}"), IPAddress.Parse($"10.{96 + i / 65536}.{i / 256 % 256}.{i % 256}")],
            [IPNetwork.Parse($"fd00:10:{i / 65536:x}:{i % 65536:x}::/64"), IPNetwork.Parse($"10.{128 + i / 256}.{i % 256}.0/24")]));
        var state = ClusterState.Create("self", [IPNetwork.Parse("fd00:10:ff:1::/64"), IPNetwork.Parse("10.255.1.0/24")], nodes);
        IReadOnlyList<LocalPrefix> links = [];

        var ((accepted, refused), cpu) = ThreadCpuTime.Measure(() => PeerPolicy.Screen(state, links));

        Assert.Empty(refused);
        Assert.Same(state, accepted);
        Assert.True(cpu < TimeSpan.FromSeconds(4), $"screening 20 000 peers took {cpu.TotalSeconds:0.00} s of CPU");
    }
}
