using System.Net;
using CniV6.Core.Nat;

namespace CniV6.IntegrationTests.Nat;

/// <summary>NftablesMasqueradeBackend through the real libnftables, inside throwaway namespaces (prefix cv6q-).</summary>
public sealed class NftablesMasqueradeBackendIntegrationTests : IDisposable
{
    internal const string Prefix = "cv6q-";
    private const string Network = "cv6q-net";
    private static readonly IPNetwork[] DualStack = [IPNetwork.Parse("fd00:aa::/64"), IPNetwork.Parse("10.244.0.0/24")];
    private static readonly IPNetwork[] Excludes = [IPNetwork.Parse("fd00:96::/112"), IPNetwork.Parse("10.96.0.0/12"), IPNetwork.Parse("192.0.2.7/32")];

    private readonly NatTestNamespace ns = new(Prefix);
    private readonly string lockDirectory = Directory.CreateTempSubdirectory("cv6q-lock-").FullName;
    private readonly string chain = NftablesMasqueradeBackend.ChainName(Network);

    public void Dispose()
    {
        ns.Dispose();
        Directory.Delete(lockDirectory, recursive: true);
    }

    private static MasqueradePlan Plan => MasqueradePlan.For(Network, DualStack, Excludes);

    [Fact]
    public void Ensure_installs_one_inet_chain_hooked_to_postrouting_for_both_families()
    {
        ns.Run(() => Backend().Ensure(Plan));

        string table = ns.Exec("nft", "-s", "list", "table", "inet", NftablesMasqueradeBackend.Table);
        Assert.Equal(
            [
                $"table inet cniv6 {{", $"chain {chain} {{", "type nat hook postrouting priority srcnat + 10; policy accept;",
                "ip6 daddr fd00:aa::/64 return", "ip6 daddr fd00:96::/112 return", "ip6 daddr fe80::/10 return", "ip6 daddr ff00::/8 return",
                "ip daddr 10.244.0.0/24 return", "ip daddr 10.96.0.0/12 return", "ip daddr 192.0.2.7 return", "ip daddr 224.0.0.0/4 return",
                $"ip6 saddr fd00:aa::/64 counter masquerade comment \"cniv6 masquerade {Network}\"",
                $"ip saddr 10.244.0.0/24 counter masquerade comment \"cniv6 masquerade {Network}\"",
                "}", "}",
            ],
            table.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(ns.Run(() => Backend().Check(Plan)));
    }

    [Fact]
    public void Ensure_of_rules_in_place_commits_nothing()
    {
        ns.Run(() => Backend().Ensure(Plan));
        uint? before = ns.NfTablesGeneration();

        ns.Run(() => Backend().Ensure(Plan));

        Assert.NotNull(before);
        Assert.Equal(before, ns.NfTablesGeneration());
    }

    [Fact]
    public void A_flushed_ruleset_is_reported_by_Check_and_put_back_by_Ensure()
    {
        ns.Run(() => Backend().Ensure(Plan));
        ns.Exec("nft", "flush", "ruleset");

        IReadOnlyList<string> problems = ns.Run(() => Backend().Check(Plan));
        Assert.Equal([$"nftables table inet cniv6: chain {chain} of network {Network} is missing"], problems);

        ns.Run(() => Backend().Ensure(Plan));
        Assert.Empty(ns.Run(() => Backend().Check(Plan)));
    }

    [Fact]
    public void A_foreign_rule_in_our_chain_is_reported_and_replaced()
    {
        ns.Run(() => Backend().Ensure(Plan));
        ns.Exec("nft", "insert", "rule", "inet", "cniv6", chain, "ip saddr 10.0.0.0/8", "accept");

        IReadOnlyList<string> problems = ns.Run(() => Backend().Check(Plan));
        Assert.Contains(problems, p => p.Contains("unexpected rule 'ip saddr 10.0.0.0/8 accept'", StringComparison.Ordinal));

        ns.Run(() => Backend().Ensure(Plan));
        Assert.Empty(ns.Run(() => Backend().Check(Plan)));
        Assert.DoesNotContain("10.0.0.0/8", ns.Exec("nft", "list", "table", "inet", "cniv6"), StringComparison.Ordinal);
    }

    [Fact]
    public void Foreign_tables_are_untouched_by_Ensure_and_Remove()
    {
        // kube-proxy's nftables mode and iptables-nft's nat table, as they look on a node.
        ns.Exec("nft", "add table ip kube-proxy; add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority srcnat; }; "
            + "add rule ip kube-proxy nat-postrouting meta mark 0x4000 masquerade; add table inet cniv6_vxlan; add chain inet cniv6_vxlan input");
        ns.Exec("iptables-nft", "-t", "nat", "-A", "POSTROUTING", "-s", "10.1.0.0/16", "-j", "MASQUERADE");
        string before = ForeignRuleset();

        ns.Run(() => Backend().Ensure(Plan));
        Assert.Equal(before, ForeignRuleset());
        ns.Run(() => Backend().Remove(Network));

        Assert.Equal(before, ForeignRuleset());
        Assert.NotEqual(0, ns.TryExec("nft", "list", "table", "inet", "cniv6").ExitCode);
    }

    [Fact]
    public void Remove_deletes_only_that_networks_chain_and_the_table_with_the_last_one()
    {
        MasqueradePlan other = MasqueradePlan.For("cv6q-other", [IPNetwork.Parse("fd00:bb::/64")], []);
        ns.Run(() =>
        {
            Backend().Ensure(Plan);
            Backend().Ensure(other);
            Backend().Remove(Network);
        });

        Assert.NotEmpty(ns.Run(() => Backend().Check(Plan)));
        Assert.Empty(ns.Run(() => Backend().Check(other)));

        ns.Run(() => Backend().Remove("cv6q-other"));
        ns.Run(() => Backend().Remove("cv6q-other"));
        Assert.NotEqual(0, ns.TryExec("nft", "list", "table", "inet", "cniv6").ExitCode);
    }

    [Fact]
    public void A_changed_plan_replaces_the_chain_in_one_step()
    {
        ns.Run(() => Backend().Ensure(Plan));
        MasqueradePlan changed = MasqueradePlan.For(Network, [IPNetwork.Parse("fd00:cc::/64")], []);

        ns.Run(() => Backend().Ensure(changed));

        Assert.Empty(ns.Run(() => Backend().Check(changed)));
        Assert.DoesNotContain("10.244.0.0", ns.Exec("nft", "list", "table", "inet", "cniv6"), StringComparison.Ordinal);
    }

    private NftablesMasqueradeBackend Backend() => new(lockDirectory, removeFromIptables: null);

    private string ForeignRuleset() =>
        ns.Exec("nft", "-s", "list", "table", "ip", "kube-proxy") + ns.Exec("nft", "list", "table", "inet", "cniv6_vxlan")
        + ns.Exec("iptables-nft-save", "-t", "nat").Split('\n').Where(l => !l.StartsWith('#')).Aggregate("", (a, l) => a + l + "\n");
}
