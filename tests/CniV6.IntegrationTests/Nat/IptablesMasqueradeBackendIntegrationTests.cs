using System.Net;
using CniV6.Core.Nat;

namespace CniV6.IntegrationTests.Nat;

/// <summary>IptablesMasqueradeBackend against the real iptables programs, inside throwaway namespaces.</summary>
public sealed class IptablesMasqueradeBackendIntegrationTests : IDisposable
{
    private const string Network = "cv6n-net";
    private static readonly IPNetwork[] DualStack = [IPNetwork.Parse("fd00:aa::/64"), IPNetwork.Parse("10.244.0.0/24")];
    private static readonly IPNetwork[] Excludes = [IPNetwork.Parse("fd00:96::/112"), IPNetwork.Parse("10.96.0.0/12")];

    private readonly NatTestNamespace ns = new();
    private readonly string markerDirectory = Directory.CreateTempSubdirectory("cv6n-markers-").FullName;
    private readonly NetNamespaceIptablesRunner runner;
    private readonly string chain = IptablesMasqueradeBackend.ChainName(Network);

    public IptablesMasqueradeBackendIntegrationTests()
    {
        runner = new NetNamespaceIptablesRunner(ns.Name);
    }

    public void Dispose()
    {
        ns.Dispose();
        Directory.Delete(markerDirectory, recursive: true);
    }

    [Fact]
    public void Ensure_installs_chain_and_jump_for_both_families()
    {
        IptablesMasqueradeBackend rules = Rules();
        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        string v6 = Save("ip6tables", rules.Variant);
        Assert.Contains($":{chain} - [0:0]", v6, StringComparison.Ordinal);
        Assert.Single(Lines(v6, $"-A POSTROUTING -m comment --comment \"cniv6 masquerade {Network}\" -j {chain}"));
        Assert.Equal(
            [$"-A {chain} -d fd00:aa::/64 -j RETURN", $"-A {chain} -d fd00:96::/112 -j RETURN", $"-A {chain} -d fe80::/10 -j RETURN",
             $"-A {chain} -d ff00::/8 -j RETURN", $"-A {chain} -s fd00:aa::/64 -j MASQUERADE"],
            Lines(v6, $"-A {chain} "));
        string v4 = Save("iptables", rules.Variant);
        Assert.Equal(
            [$"-A {chain} -d 10.244.0.0/24 -j RETURN", $"-A {chain} -d 10.96.0.0/12 -j RETURN", $"-A {chain} -d 224.0.0.0/4 -j RETURN",
             $"-A {chain} -s 10.244.0.0/24 -j MASQUERADE"],
            Lines(v4, $"-A {chain} "));
        Assert.Single(Lines(v4, "-A POSTROUTING "));
        Assert.Empty(rules.Check(MasqueradePlan.For(Network, DualStack, Excludes)));
    }

    [Fact]
    public void The_iptables_alternative_agrees_with_the_detected_backend()
    {
        IptablesMasqueradeBackend rules = Rules();
        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        // The node's plain `ip6tables-save` (whatever alternative it points to) sees the rules when it is the same backend.
        string alternative = ns.Exec("ip6tables", "--version");
        if (alternative.Contains("nf_tables", StringComparison.Ordinal) == (rules.Variant == IptablesVariant.Nft))
        {
            Assert.Contains($"-j {chain}", ns.Exec("ip6tables-save", "-t", "nat"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Second_ensure_with_the_marker_starts_no_process()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        var second = new NetNamespaceIptablesRunner(ns.Name);

        new IptablesMasqueradeBackend(second, markerDirectory, () => ns.Inode, ns.NfTablesGeneration).Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        Assert.Equal(0, second.Launches);
    }

    [Fact]
    public void Ensure_after_the_chain_was_flushed_and_the_marker_removed_restores_it()
    {
        IptablesMasqueradeBackend rules = Rules();
        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        string before = string.Join('\n', Lines(Save("ip6tables", rules.Variant), "-A "));
        ns.Exec(Tool("ip6tables", rules.Variant), "-t", "nat", "-F", chain);
        Assert.NotEmpty(rules.Check(MasqueradePlan.For(Network, DualStack, Excludes)));
        foreach (string marker in Directory.GetFiles(markerDirectory, "*-" + chain + "-*"))
        {
            File.Delete(marker);
        }

        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        Assert.Equal(before, string.Join('\n', Lines(Save("ip6tables", rules.Variant), "-A ")));
        Assert.Empty(rules.Check(MasqueradePlan.For(Network, DualStack, Excludes)));
    }

    [Fact]
    public void Ensure_after_a_flush_of_the_whole_nat_table_reinstalls_despite_the_marker()
    {
        IptablesMasqueradeBackend rules = Rules();
        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        Assert.Equal(IptablesVariant.Nft, rules.Variant); // a fresh namespace on this host: the generation tracks nf_tables
        Assert.NotEmpty(Directory.GetFiles(markerDirectory, "*-" + chain + "-*"));

        // A firewall reload: the whole nat table flushed and its chains deleted; the marker stays where it was.
        foreach (string family in new[] { "ip6tables", "iptables" })
        {
            ns.Exec(Tool(family, rules.Variant), "-t", "nat", "-F");
            ns.Exec(Tool(family, rules.Variant), "-t", "nat", "-X");
        }

        Assert.NotEmpty(rules.Check(MasqueradePlan.For(Network, DualStack, Excludes)));

        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        Assert.Empty(rules.Check(MasqueradePlan.For(Network, DualStack, Excludes)));

        // With everything in place the marker holds again: one netlink round trip, no process.
        var second = new NetNamespaceIptablesRunner(ns.Name);
        new IptablesMasqueradeBackend(second, markerDirectory, () => ns.Inode, ns.NfTablesGeneration).Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        Assert.Equal(0, second.Launches);
    }

    [Fact]
    public void Forced_ensure_repairs_without_touching_the_marker()
    {
        IptablesMasqueradeBackend rules = Rules();
        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        ns.Exec(Tool("iptables", rules.Variant), "-t", "nat", "-F", "POSTROUTING");

        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes), force: true);

        Assert.Single(Lines(Save("iptables", rules.Variant), "-A POSTROUTING "));
        Assert.Single(Lines(Save("ip6tables", rules.Variant), "-A POSTROUTING "));
    }

    [Fact]
    public void Remove_cleans_jump_chain_and_marker_in_both_families()
    {
        IptablesMasqueradeBackend rules = Rules();
        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        rules.Remove(Network);

        foreach (string family in new[] { "ip6tables", "iptables" })
        {
            string saved = Save(family, rules.Variant);
            Assert.DoesNotContain(chain, saved, StringComparison.Ordinal);
            Assert.DoesNotContain("cniv6", saved, StringComparison.Ordinal);
        }

        Assert.Empty(Directory.GetFiles(markerDirectory, "*-" + chain + "-*"));
        rules.Remove(Network); // a second Remove finds nothing and succeeds
    }

    [Fact]
    public void Check_reports_a_rule_someone_deleted()
    {
        IptablesMasqueradeBackend rules = Rules();
        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        ns.Exec(Tool("ip6tables", rules.Variant), "-t", "nat", "-D", chain, "-d", "fd00:96::/112", "-j", "RETURN");

        IReadOnlyList<string> problems = rules.Check(MasqueradePlan.For(Network, DualStack, Excludes));

        Assert.Equal([$"ip6tables nat: rule '-A {chain} -d fd00:96::/112 -j RETURN' is missing"], problems);
    }

    [Fact]
    public void Legacy_rules_in_the_namespace_make_legacy_the_backend()
    {
        ns.Exec("iptables-legacy", "-A", "INPUT", "-j", "ACCEPT");
        IptablesMasqueradeBackend rules = Rules();

        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        Assert.Equal(IptablesVariant.Legacy, rules.Variant);
        Assert.Contains($"-j {chain}", ns.Exec("ip6tables-legacy-save", "-t", "nat"), StringComparison.Ordinal);
        Assert.DoesNotContain(chain, ns.Exec("ip6tables-nft-save", "-t", "nat"), StringComparison.Ordinal);
    }

    private IptablesMasqueradeBackend Rules() => new(runner, markerDirectory, () => ns.Inode, ns.NfTablesGeneration);

    private static string Tool(string family, IptablesVariant backend) =>
        family + (backend == IptablesVariant.Nft ? "-nft" : "-legacy");

    private string Save(string family, IptablesVariant backend) => ns.Exec(Tool(family, backend) + "-save", "-t", "nat");

    private static List<string> Lines(string saved, string prefix) =>
        [.. saved.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal))];
}
