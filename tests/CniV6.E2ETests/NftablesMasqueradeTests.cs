using System.Net;
using System.Text.Json.Nodes;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>
/// ipMasq with the product default, <c>natBackend: auto</c>, which picks the in-process nftables backend on a node
/// with nf_tables and libnftables (this one): our <c>table inet cniv6</c>, verified live by ADD and CHECK, and
/// switching backends leaves the rules in one place only (docs/DESIGN.md, "NAT").
/// </summary>
public sealed class NftablesMasqueradeTests
{
    private const string Prefix = "cv6q-";
    private const string Network = "cv6q-masq";

    [Fact]
    public void Auto_installs_the_networks_chain_in_our_inet_table_and_nothing_in_iptables()
    {
        using var node = new E2ENode(Prefix);
        string conflist = Write(node, natBackend: null);

        node.Add(conflist, node.CreatePod()).EnsureSucceeded();
        node.Add(conflist, node.CreatePod()).EnsureSucceeded();

        string table = node.Namespace.ExecChecked("nft", "list", "table", "inet", "cniv6");
        string chain = "masq-" + NodeNaming.MasqueradeChain(Network)["CNIV6-MASQ-".Length..];
        Assert.Contains($"chain {chain} {{", table, StringComparison.Ordinal);
        Assert.Contains("type nat hook postrouting priority srcnat + 10; policy accept;", table, StringComparison.Ordinal);
        Assert.Contains($"ip6 saddr {Pools.IPv6} counter", table, StringComparison.Ordinal);
        Assert.Contains($"ip saddr {Pools.IPv4} counter", table, StringComparison.Ordinal);
        Assert.Equal(2, table.Split('\n').Count(l => l.Contains($"masquerade comment \"cniv6 masquerade {Network}\"", StringComparison.Ordinal)));
        Assert.DoesNotContain("CNIV6-MASQ", node.NatTable(ipv6: true), StringComparison.Ordinal);
        Assert.DoesNotContain("CNIV6-MASQ", node.NatTable(ipv6: false), StringComparison.Ordinal);
    }

    [Fact]
    public void CHECK_reports_a_flushed_ruleset_and_the_next_ADD_puts_the_chain_back()
    {
        using var node = new E2ENode(Prefix);
        string conflist = Write(node, natBackend: null);
        PodSandbox pod = node.CreatePod();
        node.Add(conflist, pod).EnsureSucceeded();
        node.Check(conflist, pod).EnsureSucceeded();

        node.Namespace.ExecChecked("nft", "flush", "ruleset");

        DriverOutcome check = node.Check(conflist, pod);
        Assert.False(check.Succeeded, "CHECK passed without any masquerade rule");
        Assert.Contains("nftables table inet cniv6: chain masq-", check.Explain(), StringComparison.Ordinal);

        node.Add(conflist, node.CreatePod()).EnsureSucceeded();
        node.Check(conflist, pod).EnsureSucceeded();
    }

    [Theory]
    [InlineData("2001:db8:ff::2")]
    [InlineData("198.51.100.2")]
    public void Pod_traffic_leaving_the_node_is_masqueraded_by_nftables(string outsideAddress)
    {
        using var node = new E2ENode(Prefix);
        using NetworkNamespace outside = MasqueradeTests.AttachOutsideNetwork(node);
        PodSandbox pod = node.CreatePod();
        node.Add(Write(node, natBackend: null), pod).EnsureSucceeded();

        ProcessResult ping = pod.PingOnce(IPAddress.Parse(outsideAddress));

        Assert.True(ping.Succeeded, ping.Describe() + "\n" + node.Namespace.ExecChecked("nft", "list", "ruleset"));
        // The outside saw the node's uplink address, never the pod's.
        string neighbours = outside.Ip("neigh", "show", "dev", "ext0");
        Assert.DoesNotContain(Pools.IPv6.Split("::")[0] + ":", neighbours, StringComparison.Ordinal);
        Assert.DoesNotContain(Pools.IPv4[..Pools.IPv4.LastIndexOf('.')], neighbours, StringComparison.Ordinal);
    }

    [Fact]
    public void Switching_the_backend_moves_the_rules_and_leaves_no_double_masquerade()
    {
        using var node = new E2ENode(Prefix);
        string chain = NodeNaming.MasqueradeChain(Network);

        node.Add(Write(node, "iptables"), node.CreatePod()).EnsureSucceeded();
        Assert.Contains(chain, node.NatTable(ipv6: true), StringComparison.Ordinal);

        node.Add(Write(node, "nftables"), node.CreatePod()).EnsureSucceeded();
        Assert.DoesNotContain(chain, node.NatTable(ipv6: true), StringComparison.Ordinal);
        Assert.DoesNotContain(chain, node.NatTable(ipv6: false), StringComparison.Ordinal);
        Assert.Contains("masquerade", node.Namespace.ExecChecked("nft", "list", "table", "inet", "cniv6"), StringComparison.Ordinal);

        node.Add(Write(node, "iptables"), node.CreatePod()).EnsureSucceeded();
        Assert.Contains(chain, node.NatTable(ipv6: true), StringComparison.Ordinal);
        Assert.False(node.Namespace.Exec("nft", "list", "table", "inet", "cniv6").Succeeded, "our nftables table is still there");
    }

    private static string Write(E2ENode node, string? natBackend)
    {
        JsonObject plugin = ConfLists.CniV6(node, Pools.IPv6, Pools.IPv4);
        plugin.Remove("natBackend");
        if (natBackend is not null)
        {
            plugin["natBackend"] = natBackend;
        }

        return node.WriteConfig(ConfLists.List(Network, "1.0.0", plugin));
    }
}
