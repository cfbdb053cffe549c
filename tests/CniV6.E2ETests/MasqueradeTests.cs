using System.Text.Json.Nodes;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>ipMasq: the per-network CNIV6-MASQ chain in the node's nat tables (docs/DESIGN.md, "NAT").</summary>
public sealed class MasqueradeTests
{
    [Theory]
    [InlineData(true, Pools.IPv6)]
    [InlineData(false, Pools.IPv4)]
    public void Ip_masq_installs_the_cniv6_masquerade_chain_jumped_to_from_postrouting(bool ipv6, string pool)
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();

        node.Add(conflist, pod).EnsureSucceeded();

        string nat = node.NatTable(ipv6);
        string chain = NodeNaming.MasqueradeChain(DualStackNetwork.Name);
        string[] lines = nat.Split('\n');
        Assert.True(lines.Any(l => l.StartsWith($":{chain} ", StringComparison.OrdinalIgnoreCase)),
            $"chain {chain} is not declared in the node's nat table:\n{nat}");
        Assert.True(lines.Any(l => l.StartsWith("-A POSTROUTING", StringComparison.Ordinal)
                && l.Contains($"-j {chain}", StringComparison.OrdinalIgnoreCase)
                && l.Contains($"cniv6 masquerade {DualStackNetwork.Name}", StringComparison.Ordinal)),
            $"no POSTROUTING jump to {chain} with comment \"cniv6 masquerade {DualStackNetwork.Name}\":\n{nat}");
        string[] rules = lines.Where(l => l.StartsWith($"-A {chain} ", StringComparison.OrdinalIgnoreCase)).ToArray();
        Assert.True(rules.Any(r => r.Contains($"-d {pool}", StringComparison.Ordinal) && r.Contains("-j RETURN", StringComparison.Ordinal)),
            $"no RETURN for destinations in {pool} in {chain}:\n{nat}");
        Assert.True(rules.Any(r => r.Contains("-j MASQUERADE", StringComparison.Ordinal)), $"no MASQUERADE rule in {chain}:\n{nat}");
    }

    [Fact]
    public void Masquerade_chain_is_installed_once_per_network_not_per_pod()
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        node.Add(conflist, node.CreatePod()).EnsureSucceeded();
        node.Add(conflist, node.CreatePod()).EnsureSucceeded();

        string chain = NodeNaming.MasqueradeChain(DualStackNetwork.Name);
        string nat = node.NatTable(ipv6: true);
        string[] jumps = nat.Split('\n')
            .Where(l => l.StartsWith("-A POSTROUTING", StringComparison.Ordinal) && l.Contains($"-j {chain}", StringComparison.OrdinalIgnoreCase))
            .ToArray();
        Assert.True(jumps.Length == 1, $"expected exactly one POSTROUTING jump to {chain}, found {jumps.Length}:\n{nat}");
    }

    [Fact]
    public void Ip_masq_false_installs_no_masquerade_chain()
    {
        using var node = new E2ENode();
        JsonObject plugin = ConfLists.CniV6(node, Pools.IPv6, Pools.IPv4);
        plugin["ipMasq"] = false;
        string conflist = node.WriteConfig(ConfLists.List("cv6e-nomasq", "1.0.0", plugin));

        node.Add(conflist, node.CreatePod()).EnsureSucceeded();

        Assert.DoesNotContain("CNIV6-MASQ", node.NatTable(ipv6: true), StringComparison.Ordinal);
        Assert.DoesNotContain("CNIV6-MASQ", node.NatTable(ipv6: false), StringComparison.Ordinal);
    }
}
