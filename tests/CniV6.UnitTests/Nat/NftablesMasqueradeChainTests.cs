using System.Net;
using CniV6.Core.Nat;

namespace CniV6.UnitTests.Nat;

public sealed class NftablesMasqueradeChainTests
{
    private static readonly MasqueradePlan DualStack = MasqueradePlan.For("pods",
        [IPNetwork.Parse("fd00:10:244:1::/64"), IPNetwork.Parse("10.244.1.0/24")],
        [IPNetwork.Parse("fd00:10:96::/112"), IPNetwork.Parse("2001:db8::1/128"), IPNetwork.Parse("10.96.0.0/12")]);

    [Fact]
    public void Returns_for_exempt_destinations_come_before_any_masquerade_IPv6_first()
    {
        NftablesMasqueradeChain chain = NftablesMasqueradeChain.For(DualStack)!;

        Assert.Equal(
            [
                "ip6 daddr fd00:10:244:1::/64 return", "ip6 daddr fd00:10:96::/112 return", "ip6 daddr 2001:db8::1 return",
                "ip6 daddr fe80::/10 return", "ip6 daddr ff00::/8 return",
                "ip daddr 10.244.1.0/24 return", "ip daddr 10.96.0.0/12 return", "ip daddr 224.0.0.0/4 return",
                "ip6 saddr fd00:10:244:1::/64 counter masquerade comment \"cniv6 masquerade pods\"",
                "ip saddr 10.244.1.0/24 counter masquerade comment \"cniv6 masquerade pods\"",
            ],
            chain.Rules);
    }

    [Fact]
    public void The_chain_name_is_stable_and_shares_the_iptables_chains_hash()
    {
        Assert.Equal("masq-" + IptablesMasqueradeBackend.ChainName("pods")["CNIV6-MASQ-".Length..], NftablesMasqueradeBackend.ChainName("pods"));
        Assert.NotEqual(NftablesMasqueradeBackend.ChainName("pods"), NftablesMasqueradeBackend.ChainName("pods2"));
    }

    [Fact]
    public void A_plan_without_pools_has_no_chain()
    {
        Assert.Null(NftablesMasqueradeChain.For(MasqueradePlan.For("pods", [], [])));
    }

    [Fact]
    public void The_replace_script_declares_deletes_and_recreates_only_our_chain()
    {
        NftablesMasqueradeChain chain = NftablesMasqueradeChain.For(MasqueradePlan.For("pods", [IPNetwork.Parse("10.1.0.0/16")], []))!;
        string name = chain.Chain;

        Assert.Equal(
            [
                "add table inet cniv6",
                $"add chain inet cniv6 {name}",
                $"delete chain inet cniv6 {name}",
                $"add chain inet cniv6 {name} {{ type nat hook postrouting priority 110; policy accept; }}",
                $"add rule inet cniv6 {name} ip daddr 10.1.0.0/16 return",
                $"add rule inet cniv6 {name} ip daddr 224.0.0.0/4 return",
                $"add rule inet cniv6 {name} ip saddr 10.1.0.0/16 counter masquerade comment \"cniv6 masquerade pods\"",
            ],
            chain.ReplaceScript().TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("flush", chain.ReplaceScript(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_listing_of_the_rendered_chain_has_no_problems()
    {
        NftablesMasqueradeChain chain = NftablesMasqueradeChain.For(DualStack)!;
        string listing = $"table inet cniv6 {{\n\tchain {chain.Chain} {{\n\t\t{NftablesMasqueradeChain.Hook}\n"
            + string.Concat(chain.Rules.Select(r => $"\t\t{r}\n")) + "\t}\n}\n";

        NftablesChainListing current = NftablesChainListing.ParseTable(listing)[chain.Chain];

        Assert.Empty(chain.Problems(current));
    }

    [Fact]
    public void Problems_name_a_missing_chain_missing_and_unexpected_rules_a_wrong_hook_and_the_order()
    {
        NftablesMasqueradeChain chain = NftablesMasqueradeChain.For(MasqueradePlan.For("pods", [IPNetwork.Parse("10.1.0.0/16")], []))!;
        string[] rules = [.. chain.Rules];

        Assert.Equal([$"nftables table inet cniv6: chain {chain.Chain} of network pods is missing"], chain.Problems(null));

        var extra = new NftablesChainListing(chain.Chain, NftablesChainListing_Hook, [.. rules, "ip saddr 10.0.0.0/8 accept"]);
        Assert.Equal([$"nftables table inet cniv6: unexpected rule 'ip saddr 10.0.0.0/8 accept' in chain {chain.Chain}"], chain.Problems(extra));

        var missing = new NftablesChainListing(chain.Chain, NftablesChainListing_Hook, rules[1..]);
        Assert.Equal([$"nftables table inet cniv6: rule '{rules[0]}' is missing from chain {chain.Chain}"], chain.Problems(missing));

        var reordered = new NftablesChainListing(chain.Chain, NftablesChainListing_Hook, [.. rules.Reverse()]);
        Assert.Equal([$"nftables table inet cniv6: rules of chain {chain.Chain} are out of order"], chain.Problems(reordered));

        var rehooked = new NftablesChainListing(chain.Chain, "type nat hook postrouting priority 100; policy accept;", rules);
        Assert.Single(chain.Problems(rehooked), p => p.Contains("is hooked 'type nat hook postrouting priority 100", StringComparison.Ordinal));
    }

    [Fact]
    public void Parsing_a_table_skips_sets_and_chain_comments_and_keeps_every_chain()
    {
        const string listing = """
            table inet cniv6 {
            	set nodes {
            		type ipv6_addr
            		elements = { fd00::1 }
            	}

            	chain masq-0a1b2c3d {
            		comment "someone's label"
            		type nat hook postrouting priority 110; policy accept;
            		ip daddr 10.1.0.0/16 return
            		ip saddr 10.1.0.0/16 counter masquerade comment "cniv6 masquerade pods"
            	}

            	chain helper {
            		ip saddr 10.0.0.0/8 accept
            	}
            }
            """;

        IReadOnlyDictionary<string, NftablesChainListing> chains = NftablesChainListing.ParseTable(listing);

        Assert.Equal(["helper", "masq-0a1b2c3d"], chains.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("type nat hook postrouting priority 110; policy accept;", chains["masq-0a1b2c3d"].Hook);
        Assert.Equal(["ip daddr 10.1.0.0/16 return", "ip saddr 10.1.0.0/16 counter masquerade comment \"cniv6 masquerade pods\""], chains["masq-0a1b2c3d"].Rules);
        Assert.Null(chains["helper"].Hook);
        Assert.Equal(["ip saddr 10.0.0.0/8 accept"], chains["helper"].Rules);
    }

    [Fact]
    public void An_empty_listing_has_no_chains()
    {
        Assert.Empty(NftablesChainListing.ParseTable(""));
        Assert.Empty(NftablesChainListing.ParseTable("table inet cniv6 {\n}\n"));
    }

    private const string NftablesChainListing_Hook = NftablesMasqueradeChain.Hook;
}
