using System.Net;
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
    public void ADD_after_the_nat_table_was_flushed_puts_masquerade_back_despite_the_marker()
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        node.Add(conflist, node.CreatePod()).EnsureSucceeded();
        string chain = NodeNaming.MasqueradeChain(DualStackNetwork.Name);

        // A firewall reload: both nat tables flushed and their chains deleted. The plugin's marker for this
        // namespace is still there; it must not vouch for rules that are gone.
        foreach (string tool in new[] { "ip6tables", "iptables" })
        {
            node.Namespace.ExecChecked(tool, "-t", "nat", "-F");
            node.Namespace.ExecChecked(tool, "-t", "nat", "-X");
        }

        Assert.DoesNotContain("MASQUERADE", node.NatTable(ipv6: true), StringComparison.Ordinal);

        node.Add(conflist, node.CreatePod()).EnsureSucceeded();

        foreach (bool ipv6 in new[] { true, false })
        {
            string nat = node.NatTable(ipv6);
            Assert.True(nat.Split('\n').Any(l => l.StartsWith($"-A {chain} ", StringComparison.OrdinalIgnoreCase) && l.Contains("-j MASQUERADE", StringComparison.Ordinal)),
                $"no MASQUERADE in {chain} after the flush and another ADD:\n{nat}");
            Assert.Contains($"-j {chain}", nat, StringComparison.OrdinalIgnoreCase);
        }
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

    [Theory]
    [InlineData("2001:db8:ff::2")]
    [InlineData("198.51.100.2")]
    public void Pod_traffic_leaving_the_node_is_masqueraded_to_the_node_address(string outsideAddress)
    {
        using var node = new E2ENode();
        using NetworkNamespace outside = AttachOutsideNetwork(node);

        ProcessResult ping = PingOutsideFromNewPod(node, ipMasq: true, IPAddress.Parse(outsideAddress));

        Assert.True(ping.Succeeded, ping.Describe() + "\n" + node.NatTable(outsideAddress.Contains(':', StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("2001:db8:ff::2")]
    [InlineData("198.51.100.2")]
    public void Without_ip_masq_the_outside_network_cannot_answer_pods(string outsideAddress)
    {
        // The control for the test above: the outside really has no route back to the pools.
        using var node = new E2ENode();
        using NetworkNamespace outside = AttachOutsideNetwork(node);

        ProcessResult ping = PingOutsideFromNewPod(node, ipMasq: false, IPAddress.Parse(outsideAddress));

        Assert.False(ping.Succeeded, ping.Describe());
    }

    /// <summary>
    /// An "outside" network behind the node's uplink (2001:db8:ff::/64, 198.51.100.0/24) with no route back
    /// to the pod pools: its replies can only arrive if the pod's source address was rewritten to the node's.
    /// </summary>
    internal static NetworkNamespace AttachOutsideNetwork(E2ENode node)
    {
        var outside = new NetworkNamespace("ext");
        try
        {
            node.Namespace.Ip("link", "add", "up0", "type", "veth", "peer", "name", "ext0", "netns", outside.Name);
            node.Namespace.Ip("addr", "add", "2001:db8:ff::1/64", "dev", "up0", "nodad");
            node.Namespace.Ip("addr", "add", "198.51.100.1/24", "dev", "up0");
            node.Namespace.Ip("link", "set", "up0", "up");
            outside.Ip("addr", "add", "2001:db8:ff::2/64", "dev", "ext0", "nodad");
            outside.Ip("addr", "add", "198.51.100.2/24", "dev", "ext0");
            outside.Ip("link", "set", "ext0", "up");

            // The uplink itself must work before a pod uses it (neighbour entries resolved, links up), so the
            // pod's ping tests only the pod path and the masquerading.
            foreach (string address in new[] { "2001:db8:ff::2", "198.51.100.2" })
            {
                bool reachable = Enumerable.Range(0, 5)
                    .Any(_ => node.Namespace.Exec("ping", "-n", "-c", "1", "-W", "1", address).Succeeded);
                Assert.True(reachable, $"test setup: the node cannot reach the outside address {address}");
            }

            return outside;
        }
        catch
        {
            outside.Dispose();
            throw;
        }
    }

    private static ProcessResult PingOutsideFromNewPod(E2ENode node, bool ipMasq, IPAddress outsideAddress)
    {
        JsonObject plugin = ConfLists.CniV6(node, Pools.IPv6, Pools.IPv4);
        plugin["ipMasq"] = ipMasq;
        string conflist = node.WriteConfig(ConfLists.List(DualStackNetwork.Name, "1.0.0", plugin));
        PodSandbox pod = node.CreatePod();
        node.Add(conflist, pod).EnsureSucceeded();
        return pod.PingOnce(outsideAddress);
    }
}
