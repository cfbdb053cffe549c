using System.Net;
using CniV6.Agent.Dataplane.Routing.Bgp;

namespace CniV6.Agent.Tests.Unit.Bgp;

public sealed class BgpRouterIdTests
{
    [Fact]
    public void A_node_with_an_ipv4_address_uses_it()
    {
        var id = BgpRouterId.For("n1", [IPAddress.Parse("fd00::1"), IPAddress.Parse("10.0.0.7")]);

        Assert.Equal(IPAddress.Parse("10.0.0.7"), id);
    }

    [Fact]
    public void An_ipv6_only_node_gets_a_stable_hash_outside_0_127_and_multicast_for_any_name()
    {
        var ids = new HashSet<IPAddress>();
        for (var i = 0; i < 5000; i++)
        {
            var name = $"worker-{i}";
            var id = BgpRouterId.For(name, [IPAddress.Parse("fd00::1")]);
            var first = id.GetAddressBytes()[0];

            Assert.InRange(first, 1, 223);
            Assert.NotEqual(127, first);
            Assert.Equal(id, BgpRouterId.For(name, []));
            ids.Add(id);
        }

        Assert.True(ids.Count > 4990, $"only {ids.Count} distinct router IDs for 5000 names");
    }

    [Fact]
    public void An_unusable_ipv4_address_is_passed_over_for_the_hash()
    {
        var id = BgpRouterId.For("n1", [IPAddress.Parse("127.0.0.1"), IPAddress.Parse("0.0.0.0")]);

        Assert.NotEqual(IPAddress.Parse("127.0.0.1"), id);
        Assert.InRange(id.GetAddressBytes()[0], 1, 223);
    }
}
