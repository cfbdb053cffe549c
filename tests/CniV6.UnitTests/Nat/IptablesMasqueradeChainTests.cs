using System.Net;
using System.Net.Sockets;
using CniV6.Core.Nat;

namespace CniV6.UnitTests.Nat;

public sealed class IptablesMasqueradeChainTests
{
    [Theory]
    [InlineData("podnet", "CNIV6-MASQ-3aa0627f")] // echo -n podnet | sha256sum
    [InlineData("kindnet", "CNIV6-MASQ-cbd86dca")]
    public void Chain_name_is_prefix_and_8_hex_of_the_sha256_of_the_network(string network, string chain)
    {
        Assert.Equal(chain, IptablesMasqueradeBackend.ChainName(network));
        Assert.True(chain.Length <= 28, "iptables chain names are at most 28 characters");
    }

    [Fact]
    public void IPv6_chain_returns_for_pools_excludes_link_local_and_multicast_then_masquerades()
    {
        IptablesMasqueradeChain chain = ChainFor(
            "podnet",
            AddressFamily.InterNetworkV6,
            [IPNetwork.Parse("fd00:10:244::/64"), IPNetwork.Parse("10.244.0.0/24")],
            [IPNetwork.Parse("fd00:10:96::/112"), IPNetwork.Parse("10.96.0.0/12")])!;

        Assert.Equal(
            [
                "-A CNIV6-MASQ-3aa0627f -d fd00:10:244::/64 -j RETURN",
                "-A CNIV6-MASQ-3aa0627f -d fd00:10:96::/112 -j RETURN",
                "-A CNIV6-MASQ-3aa0627f -d fe80::/10 -j RETURN",
                "-A CNIV6-MASQ-3aa0627f -d ff00::/8 -j RETURN",
                "-A CNIV6-MASQ-3aa0627f -s fd00:10:244::/64 -j MASQUERADE",
            ],
            chain.Rules);
        Assert.Equal("-A POSTROUTING -m comment --comment \"cniv6 masquerade podnet\" -j CNIV6-MASQ-3aa0627f", chain.JumpRule);
    }

    [Fact]
    public void IPv4_chain_returns_for_multicast_and_skips_duplicate_destinations()
    {
        IptablesMasqueradeChain chain = ChainFor(
            "podnet",
            AddressFamily.InterNetwork,
            [IPNetwork.Parse("10.244.0.0/24")],
            [IPNetwork.Parse("10.244.0.0/24"), IPNetwork.Parse("192.168.0.0/16")])!;

        Assert.Equal(
            [
                "-A CNIV6-MASQ-3aa0627f -d 10.244.0.0/24 -j RETURN",
                "-A CNIV6-MASQ-3aa0627f -d 192.168.0.0/16 -j RETURN",
                "-A CNIV6-MASQ-3aa0627f -d 224.0.0.0/4 -j RETURN",
                "-A CNIV6-MASQ-3aa0627f -s 10.244.0.0/24 -j MASQUERADE",
            ],
            chain.Rules);
    }

    [Fact]
    public void A_family_without_a_pool_gets_no_chain()
    {
        Assert.Null(ChainFor("podnet", AddressFamily.InterNetwork, [IPNetwork.Parse("fd00::/64")], [IPNetwork.Parse("10.0.0.0/8")]));
    }

    [Fact]
    public void Snapshot_finds_the_chain_its_rules_and_every_jump_to_it()
    {
        const string Save = """
            *nat
            :POSTROUTING ACCEPT [0:0]
            :CNIV6-MASQ-3aa0627f - [0:0]
            :CNIV6-MASQ-3aa0627fX - [0:0]
            -A POSTROUTING -m comment --comment "cniv6 masquerade podnet" -j CNIV6-MASQ-3aa0627f
            -A POSTROUTING -s 10.0.0.0/8 -j CNIV6-MASQ-3aa0627f
            -A POSTROUTING -j CNIV6-MASQ-3aa0627fX
            -A CNIV6-MASQ-3aa0627f -d fd00::/64 -j RETURN
            -A CNIV6-MASQ-3aa0627fX -j RETURN
            COMMIT
            """;

        IptablesNatSnapshot snapshot = IptablesNatSnapshot.Parse(Save, "CNIV6-MASQ-3aa0627f");

        Assert.True(snapshot.ChainExists);
        Assert.Equal(["-A CNIV6-MASQ-3aa0627f -d fd00::/64 -j RETURN"], snapshot.ChainRules);
        Assert.Equal(2, snapshot.JumpRules.Count);
        Assert.False(IptablesNatSnapshot.Parse(Save, "CNIV6-MASQ-00000000").ChainExists);
    }

    /// <summary>The chain the backend renders for one family of the network's plan, or null when the plan has no such family.</summary>
    private static IptablesMasqueradeChain? ChainFor(string network, AddressFamily family, IPNetwork[] pools, IPNetwork[] excludes)
    {
        MasqueradePlan plan = MasqueradePlan.For(network, pools, excludes);
        return plan.Families.FirstOrDefault(f => f.Family == family) is { } part ? IptablesMasqueradeChain.For(plan, part) : null;
    }
}
