using System.Net;
using System.Net.Sockets;
using CniV6.Core.Nat;

namespace CniV6.UnitTests.Nat;

public sealed class MasqueradePlanTests
{
    [Fact]
    public void Each_family_with_a_pool_masquerades_its_pools_except_towards_pools_excludes_and_link_scoped_destinations()
    {
        var plan = MasqueradePlan.For(
            "podnet",
            [IPNetwork.Parse("10.244.0.0/24"), IPNetwork.Parse("fd00:10:244::/64")],
            [IPNetwork.Parse("10.96.0.0/12"), IPNetwork.Parse("fd00:10:96::/112"), IPNetwork.Parse("10.244.0.0/24")]);

        Assert.Equal("cniv6 masquerade podnet", plan.OwnerTag);
        Assert.Equal([AddressFamily.InterNetworkV6, AddressFamily.InterNetwork], plan.Families.Select(f => f.Family));
        Assert.Equal(["fd00:10:244::/64"], plan.Families[0].Sources.Select(n => n.ToString()));
        Assert.Equal(["fd00:10:244::/64", "fd00:10:96::/112", "fe80::/10", "ff00::/8"], plan.Families[0].ExemptDestinations.Select(n => n.ToString()));
        Assert.Equal(["10.244.0.0/24", "10.96.0.0/12", "224.0.0.0/4"], plan.Families[1].ExemptDestinations.Select(n => n.ToString()));
    }

    [Fact]
    public void A_network_without_pools_plans_nothing()
    {
        Assert.Empty(MasqueradePlan.For("podnet", [], [IPNetwork.Parse("10.96.0.0/12")]).Families);
    }

    [Theory]
    [InlineData("bad name\"")]
    [InlineData("")]
    [InlineData("-rf")]
    public void A_network_name_that_could_not_tag_rules_is_refused(string network)
    {
        Assert.Throws<ArgumentException>(() => MasqueradePlan.For(network, [IPNetwork.Parse("fd00::/64")], []));
    }
}
