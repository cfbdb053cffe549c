using System.Net.Sockets;
using CniV6.Agent.Tests.Infrastructure;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// <c>cniv6-agent uninstall</c> in a node namespace where the agent ran and wired a pod: everything of cniv6 is gone
/// (conflist, plugin, the portmap it installed, NAT chains of both families, its routes, the pod's host veth, the
/// IPAM state, the mode record), and nothing else: another network's veth and IPAM state, a foreign route, a foreign
/// chain, another conflist, and plugins the node already had stay. A second run finds nothing and succeeds.
/// </summary>
public sealed class UninstallTests : IDisposable
{
    private const string Network = "cv6i-net";
    private const string ForeignChain = "CV6I-FOREIGN";

    private readonly StaticAgentNode _node = new("cv6i");

    [Fact]
    public async Task Uninstall_removes_everything_of_cniv6_and_nothing_else()
    {
        _node.CreateNode();
        var reference = Directory.CreateDirectory(Path.Combine(_node.Dir, "reference")).FullName;
        File.Copy("/usr/lib/cni/portmap", Path.Combine(reference, "portmap"));
        File.Copy("/usr/lib/cni/loopback", Path.Combine(reference, "loopback"));
        // What the node had before cniv6: its own loopback and host-local, another conflist, another network's state.
        Directory.CreateDirectory(_node.BinDir);
        Directory.CreateDirectory(_node.ConfDir);
        File.Copy("/usr/lib/cni/loopback", Path.Combine(_node.BinDir, "loopback"));
        File.Copy("/usr/lib/cni/host-local", Path.Combine(_node.BinDir, "host-local"));
        File.WriteAllText(Path.Combine(_node.ConfDir, "99-other.conflist"), "{}");
        Directory.CreateDirectory(Path.Combine(_node.IpamDir, "other-net"));
        File.WriteAllText(Path.Combine(_node.IpamDir, "other-net", "state.json"), "{}");
        AddForeignKernelState();
        _node.WriteConfig(Network, $$""", "ReferencePluginDirs": ["{{reference}}"] """);
        await _node.StartAgentAsync();
        var pod = _node.CreatePodNamespace("p1");
        _node.DriveOrThrow("add", pod);
        var modeRecord = ModeRecordPath();
        var before = Snapshot();
        _node.StopAgent();

        var (exit, output, error) = Shell.TryRun(TimeSpan.FromSeconds(60), "ip", "netns", "exec", _node.Netns, RequiredFiles.Agent, "uninstall", "--config", _node.ConfigPath);
        var after = Snapshot();
        var again = Shell.TryRun(TimeSpan.FromSeconds(60), "ip", "netns", "exec", _node.Netns, RequiredFiles.Agent, "uninstall", "--config", _node.ConfigPath);

        // The node really had all of it before.
        Assert.True(before.Conflist && before.Plugin && before.Portmap && before.IpamState && before.PodVeth && before.ModeRecord, before.ToString());
        Assert.True(before.Routes > 0 && before.NatChains == 2, before.ToString());
        Assert.True(exit == 0, $"uninstall exited {exit}: {error}\n{output}");
        Assert.Contains("removed host veth cv6", output, StringComparison.Ordinal);
        Assert.Contains("removed route fd00:10:244:2::/64 via fd00:5e::2", output, StringComparison.Ordinal);
        Assert.Equal(new NodeSnapshot(false, false, false, false, false, false, 0, 0), after);
        Assert.False(File.Exists(modeRecord));
        Assert.False(File.Exists(Path.Combine(_node.IpamDir, ".installed-plugins")));
        // And nothing else.
        Assert.True(File.Exists(Path.Combine(_node.BinDir, "loopback")));
        Assert.True(File.Exists(Path.Combine(_node.BinDir, "host-local")));
        Assert.True(File.Exists(Path.Combine(_node.ConfDir, "99-other.conflist")));
        Assert.True(File.Exists(Path.Combine(_node.IpamDir, "other-net", "state.json")));
        Assert.Contains("fd00:99::/64 via fd00:5e::99", Shell.Run("ip", "-n", _node.Netns, "-6", "route", "show"), StringComparison.Ordinal);
        Assert.Contains("10.99.0.0/24 via 10.96.0.99", Shell.Run("ip", "-n", _node.Netns, "-4", "route", "show"), StringComparison.Ordinal);
        Assert.Contains("cv6ffffffffff0", Shell.Run("ip", "-n", _node.Netns, "link", "show"), StringComparison.Ordinal);
        Assert.Contains($"-A POSTROUTING -j {ForeignChain}", Shell.InNamespace(_node.Netns, "ip6tables-save", "-t", "nat"), StringComparison.Ordinal);
        Assert.Contains($"-A POSTROUTING -j {ForeignChain}", Shell.InNamespace(_node.Netns, "iptables-save", "-t", "nat"), StringComparison.Ordinal);
        Assert.Contains("chain nat-postrouting", Shell.InNamespace(_node.Netns, "nft", "list", "table", "ip", "kube-proxy"), StringComparison.Ordinal);
        Assert.True(again.ExitCode == 0, $"second uninstall exited {again.ExitCode}: {again.Error}\n{again.Output}");
        Assert.Contains($"no host veths of network {Network}", again.Output, StringComparison.Ordinal);
    }

    /// <summary>Kernel state that is not cniv6's: routes of another protocol, another network's veth, a NAT chain.</summary>
    private void AddForeignKernelState()
    {
        Shell.Run("ip", "-n", _node.Netns, "-6", "route", "add", "fd00:99::/64", "via", "fd00:5e::99", "proto", "static");
        Shell.Run("ip", "-n", _node.Netns, "-4", "route", "add", "10.99.0.0/24", "via", "10.96.0.99", "proto", "static");
        Shell.Run("ip", "-n", _node.Netns, "link", "add", "cv6ffffffffff0", "type", "veth", "peer", "name", "cv6i-other");
        Shell.Run("ip", "-n", _node.Netns, "link", "set", "cv6ffffffffff0", "alias", "cniv6 other-net c1 eth0");
        foreach (var iptables in new[] { "ip6tables", "iptables" })
        {
            Shell.InNamespace(_node.Netns, iptables, "-t", "nat", "-N", ForeignChain);
            Shell.InNamespace(_node.Netns, iptables, "-t", "nat", "-A", "POSTROUTING", "-j", ForeignChain);
        }

        // kube-proxy's nftables mode keeps its own table; uninstall leaves it alone.
        Shell.InNamespace(_node.Netns, "nft", "add table ip kube-proxy; add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority srcnat; }");
    }

    private string ModeRecordPath()
    {
        var cookie = NetNamespace.Run(InNamespace.PathOf(_node.Netns), () => NetNamespace.CurrentCookie()) ?? 0;
        return $"/run/cniv6/agent/routing-mode.{cookie}";
    }

    private NodeSnapshot Snapshot()
    {
        var routes = InNamespace.Routes(_node.Netns, AddressFamily.InterNetworkV6).Concat(InNamespace.Routes(_node.Netns, AddressFamily.InterNetwork))
                                .Count(r => r.Protocol == RouteProtocol.CniV6 && r.Gateway is not null);
        // Per family, wherever the node's backend put it: iptables' nat tables or our nftables table (one tagged rule each).
        var chains = new[] { "ip6tables-save", "iptables-save" }
            .Count(save => Shell.InNamespace(_node.Netns, save, "-t", "nat").Contains($"cniv6 masquerade {Network}", StringComparison.Ordinal));
        var ours = Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "exec", _node.Netns, "nft", "list", "table", "inet", "cniv6");
        chains += ours.ExitCode == 0 ? ours.Output.Split('\n').Count(l => l.Contains($"masquerade comment \"cniv6 masquerade {Network}\"", StringComparison.Ordinal)) : 0;
        var podVeth = Shell.Run("ip", "-n", _node.Netns, "-d", "link", "show").Contains($"alias cniv6 {Network} ", StringComparison.Ordinal);
        return new NodeSnapshot(
            File.Exists(_node.ConflistPath),
            File.Exists(Path.Combine(_node.BinDir, "cniv6")),
            File.Exists(Path.Combine(_node.BinDir, "portmap")),
            Directory.Exists(Path.Combine(_node.IpamDir, Network)),
            podVeth,
            File.Exists(ModeRecordPath()),
            routes,
            chains);
    }

    private sealed record NodeSnapshot(bool Conflist, bool Plugin, bool Portmap, bool IpamState, bool PodVeth, bool ModeRecord, int Routes, int NatChains);

    public void Dispose()
    {
        // The mode record lives under the host's /run/cniv6, outside the namespace: removed even when the test failed.
        try
        {
            if (_node.Agent is not null)
            {
                File.Delete(ModeRecordPath());
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
        }

        _node.Dispose();
    }
}
