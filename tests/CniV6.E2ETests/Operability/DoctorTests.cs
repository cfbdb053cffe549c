using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using CniV6.Core.NodeState;
using CniV6.E2ETests.Infrastructure;
using CniV6.Linux;

namespace CniV6.E2ETests.Operability;

/// <summary>
/// <c>cniv6 doctor</c> in a throwaway node namespace: a healthy node is all ok, and each broken condition (created for
/// real in the namespace) gives its finding and the fix text; where the fix is a command, running it verbatim in the
/// node makes the check ok again.
/// </summary>
[Collection(OperabilityCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DoctorTests
{
    [Fact]
    public void A_healthy_node_reports_every_check_ok_and_exits_0()
    {
        using var node = new OperabilityNode();
        node.AddPod();

        DoctorRun run = node.Doctor();

        Assert.True(run.Findings.All(f => f.Status == "ok"), run.ToString());
        Assert.Equal(0, run.Process.ExitCode);
        Assert.Equal("ok", run.Result);
        Assert.Equal(
            ["forwarding", "accept_ra", "default-route", "nat", "iptables", "conflist", "pod-cidrs", "plugin", "ipam", "mtu", "dns", "dns-port", "bridge-nf", "routing"],
            run.Findings.Select(f => f.Check).Distinct());
    }

    [Fact]
    public void A_healthy_node_s_table_has_a_header_a_row_per_finding_and_a_summary()
    {
        using var node = new OperabilityNode();
        node.AddPod();

        ProcessResult table = node.Namespace.Exec(RepoLayout.PluginBinary, ["doctor", .. node.Options]);

        Assert.True(table.Succeeded, table.Describe());
        string[] lines = table.StandardOutput.TrimEnd().Split('\n');
        Assert.Matches("^CHECK +STATUS +FOUND +FIX$", lines[0]);
        Assert.Matches(@"^forwarding +ok +IPv6: net\.ipv6\.conf\.all\.forwarding = 1", lines[1]);
        Assert.Matches(@"^\d+ ok, 0 warn, 0 fail$", lines[^1]);
    }

    [Fact]
    public void Forwarding_off_fails_per_family_and_the_fix_turns_it_on()
    {
        using var node = new OperabilityNode();
        node.AddPod();
        node.Sysctl("net.ipv6.conf.all.forwarding", "0");
        node.Sysctl("net.ipv4.ip_forward", "0");

        DoctorRun run = node.Doctor();

        Assert.Equal(1, run.Process.ExitCode);
        var ipv6 = run.Single("forwarding", "IPv6: net.ipv6.conf.all.forwarding = 0");
        Assert.Equal("fail", ipv6.Status);
        Assert.EndsWith("net.ipv6.conf.all.forwarding=1", ipv6.Fix, StringComparison.Ordinal);
        var ipv4 = run.Single("forwarding", "IPv4: net.ipv4.ip_forward = 0");
        Assert.Equal("sysctl -w net.ipv4.ip_forward=1", ipv4.Fix);

        Assert.True(node.RunFix(ipv6.Fix!).Succeeded);
        Assert.True(node.RunFix(ipv4.Fix!).Succeeded);
        Assert.All(node.Doctor().Findings.Where(f => f.Check == "forwarding"), f => Assert.Equal("ok", f.Status));
    }

    [Fact]
    public void An_RA_default_route_on_accept_ra_1_is_flagged_and_the_forwarding_fix_keeps_it()
    {
        using var node = new OperabilityNode();
        using var radvd = Radvd.Start(node);
        node.Namespace.Ip("-6", "route", "del", "default");
        node.Sysctl("net.ipv6.conf.all.forwarding", "0");
        node.Sysctl($"net.ipv6.conf.{OperabilityNode.Uplink}.accept_ra", "1");
        node.Sysctl($"net.ipv6.conf.{OperabilityNode.Uplink}.accept_ra_defrtr", "1");
        Radvd.WaitForRaDefaultRoute(node);

        DoctorRun before = node.Doctor();

        var acceptRa = before.Single("accept_ra", $"{OperabilityNode.Uplink}: RA default route with accept_ra = 1: turning forwarding on will lose it");
        Assert.Equal("warn", acceptRa.Status);
        Assert.Equal($"sysctl -w net.ipv6.conf.{OperabilityNode.Uplink}.accept_ra=2", acceptRa.Fix);
        var forwarding = before.Single("forwarding", "IPv6: net.ipv6.conf.all.forwarding = 0");
        Assert.Equal($"sysctl -w net.ipv6.conf.{OperabilityNode.Uplink}.accept_ra=2 net.ipv6.conf.all.forwarding=1", forwarding.Fix);

        // The fix as printed: accept_ra=2 first, so turning forwarding on keeps the RA default route.
        Assert.True(node.RunFix(forwarding.Fix!).Succeeded);
        DoctorRun after = node.Doctor();
        Assert.Equal("ok", after.Single("accept_ra", "accept_ra = 2").Status);
        Assert.Equal("ok", after.Single("default-route", "IPv6: default via fe80::").Status);

        // With forwarding on, accept_ra=1 means the kernel ignores further RAs: the route dies with its lifetime.
        node.Sysctl($"net.ipv6.conf.{OperabilityNode.Uplink}.accept_ra", "1");
        var broken = node.Doctor().Single("accept_ra", "while forwarding is on");
        Assert.Equal("fail", broken.Status);
        Assert.Equal($"sysctl -w net.ipv6.conf.{OperabilityNode.Uplink}.accept_ra=2", broken.Fix);
    }

    [Fact]
    public void No_IPv6_default_route_fails_with_the_route_to_add()
    {
        using var node = new OperabilityNode();
        node.AddPod();
        node.Namespace.Ip("-6", "route", "del", "default");

        DoctorRun run = node.Doctor();

        Assert.Equal(1, run.Process.ExitCode);
        var finding = run.Single("default-route", "IPv6: no default route");
        Assert.Equal("fail", finding.Status);
        Assert.StartsWith($"ip -6 route add default via <router-address> dev {OperabilityNode.Uplink}", finding.Fix, StringComparison.Ordinal);
        Assert.Equal("ok", run.Single("default-route", "IPv4: default via 192.0.2.1").Status);
    }

    [Fact]
    public void No_IPv4_default_route_in_a_dual_stack_node_fails_with_the_route_to_add()
    {
        using var node = new OperabilityNode();
        node.AddPod();
        node.Namespace.Ip("-4", "route", "del", "default");

        DoctorRun run = node.Doctor();

        Assert.Equal(1, run.Process.ExitCode);
        var finding = run.Single("default-route", "IPv4: no default route");
        Assert.Equal("fail", finding.Status);
        Assert.Equal($"ip -4 route add default via <router-address> dev {OperabilityNode.Uplink}", finding.Fix);
        Assert.Equal("ok", run.Single("default-route", "IPv6: default via 2001:db8:c6::1").Status);

        Assert.True(node.RunFix(finding.Fix!.Replace("<router-address>", "192.0.2.1", StringComparison.Ordinal)).Succeeded);
        Assert.Equal("ok", node.Doctor().Single("default-route", "IPv4: default via 192.0.2.1").Status);
    }

    [Fact]
    public void An_IPv6_only_node_does_not_ask_for_an_IPv4_default_route()
    {
        using var node = new OperabilityNode("fd00:6f::/64");
        node.Namespace.Ip("-4", "route", "del", "default");

        DoctorRun run = node.Doctor();

        Assert.Equal("ok", Assert.Single(run.Findings, f => f.Check == "default-route").Status);
    }

    [Fact]
    public void An_unavailable_nat_table_fails_with_the_module_to_load()
    {
        // A kernel without ip6table_nat, simulated: ip6tables-save as such a node's prints it (the namespace cannot
        // unload a module the host shares). Everything else is the real node.
        using var node = new OperabilityNode();
        node.AddPod();
        string shims = Path.Combine(node.Node.WorkDir, "no-nat-module");
        Directory.CreateDirectory(shims);
        foreach (string tool in new[] { "ip6tables-nft-save", "ip6tables-legacy-save", "ip6tables-save" })
        {
            string shim = Path.Combine(shims, tool);
            File.WriteAllText(shim, "#!/bin/sh\ncat >&2 <<'EOF'\n" + tool + " v1.8.9 (nf_tables): can't initialize ip6tables table `nat': Table does not exist (do you need to insmod?)\nEOF\nexit 1\n");
            File.SetUnixFileMode(shim, (UnixFileMode)0b111_101_101);
        }

        ProcessResult result = node.Namespace.Exec("env", [$"PATH={shims}:/usr/sbin:/usr/bin:/sbin:/bin", RepoLayout.PluginBinary, "doctor", "--json", .. node.Options]);
        DoctorRun run = DoctorRun.Parse(result);

        Assert.Equal(1, run.Process.ExitCode);
        var finding = run.Single("nat", "IPv6: nat table not available (");
        Assert.Equal("fail", finding.Status);
        Assert.Contains("can't initialize ip6tables table `nat'", finding.Found, StringComparison.Ordinal);
        Assert.Equal("modprobe ip6table_nat && echo ip6table_nat > /etc/modules-load.d/cniv6-nat.conf", finding.Fix);
        Assert.Equal("ok", run.Single("nat", "IPv4:").Status);
    }

    [Fact]
    public void A_flushed_nat_table_fails_and_the_printed_restore_script_repairs_it()
    {
        using var node = new OperabilityNode();
        node.AddPod();
        node.Namespace.ExecChecked("ip6tables", "-t", "nat", "-F");
        node.Namespace.ExecChecked("ip6tables", "-t", "nat", "-X");

        DoctorRun run = node.Doctor();

        Assert.Equal(1, run.Process.ExitCode);
        string chain = NodeNaming.MasqueradeChain(node.NetworkName);
        var finding = run.Single("nat", $"IPv6: ip6tables nat: chain {chain} of network {node.NetworkName} is missing");
        Assert.Equal("fail", finding.Status);
        Assert.Contains("POSTROUTING jump", finding.Found, StringComparison.Ordinal);
        Assert.StartsWith("printf '%s\\n' '*nat'", finding.Fix, StringComparison.Ordinal);
        Assert.Equal("ok", run.Single("nat", "IPv4:").Status);

        ProcessResult fixed_ = node.RunFix(finding.Fix!);
        Assert.True(fixed_.Succeeded, fixed_.Describe());
        Assert.Equal("ok", node.Doctor().Single("nat", "IPv6:").Status);
        Assert.Contains($"-A {chain} -s fd00:6f::/64 -j MASQUERADE", node.Node.NatTable(ipv6: true), StringComparison.Ordinal);
    }

    [Fact]
    public void With_the_nftables_backend_a_flushed_ruleset_fails_and_the_printed_nft_transaction_repairs_it()
    {
        using var node = new OperabilityNode();
        var list = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(node.ConflistPath))!.AsObject();
        list["plugins"]![0]!.AsObject()["natBackend"] = "nftables";
        File.WriteAllText(node.ConflistPath, list.ToJsonString());
        node.AddPod();
        Assert.Equal("ok", node.Doctor().Single("nat", "nftables chain masq-").Status);
        node.Namespace.ExecChecked("nft", "flush", "ruleset");

        DoctorRun run = node.Doctor();

        Assert.Equal(1, run.Process.ExitCode);
        var finding = run.Single("nat", "nftables table inet cniv6: chain masq-");
        Assert.Equal("fail", finding.Status);
        Assert.Contains($"of network {node.NetworkName} is missing", finding.Found, StringComparison.Ordinal);
        Assert.EndsWith("| nft -f -   # or restart the agent", finding.Fix, StringComparison.Ordinal);

        ProcessResult fixed_ = node.RunFix(finding.Fix!);
        Assert.True(fixed_.Succeeded, fixed_.Describe());
        Assert.Equal("ok", node.Doctor().Single("nat", "nftables chain masq-").Status);
    }

    [Fact]
    public void Kube_proxy_chains_in_the_other_iptables_variant_warn()
    {
        using var node = new OperabilityNode();
        node.AddPod();
        node.Namespace.ExecChecked("ip6tables-nft", "-t", "nat", "-N", "KUBE-SERVICES");
        Assert.Equal("ok", node.Doctor().Single("iptables", "cniv6 and kube-proxy both use iptables-nft").Status);

        node.Namespace.ExecChecked("ip6tables-nft", "-t", "nat", "-X", "KUBE-SERVICES");
        node.Namespace.ExecChecked("ip6tables-legacy", "-t", "nat", "-N", "KUBE-SERVICES");

        var split = node.Doctor().Single("iptables", "cniv6's rules are in iptables-nft but kube-proxy's chains (KUBE-*) are in iptables-legacy");
        Assert.Equal("warn", split.Status);
        Assert.StartsWith("run kube-proxy with the same iptables as the node", split.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chained_plugin_missing_from_the_bin_dir_fails_with_the_install_command()
    {
        using var node = new OperabilityNode();
        node.WriteConflist("10-cniv6.conflist", new JsonObject { ["type"] = "cv6o-missing" }, ConfLists.PortMap());

        DoctorRun run = node.Doctor();

        Assert.Equal(1, run.Process.ExitCode);
        var missing = run.Single("conflist", "chains 'cv6o-missing', which is not in");
        Assert.Equal("fail", missing.Status);
        Assert.StartsWith($"install the 'cv6o-missing' plugin into {node.BinDir}", missing.Fix, StringComparison.Ordinal);
        var portmap = run.Single("conflist", "chains 'portmap'");
        Assert.Equal($"install -m 0755 /usr/lib/cni/portmap {node.BinDir}/portmap", portmap.Fix);
    }

    [Fact]
    public void Another_configuration_sorting_first_fails_with_the_rename_that_disables_it()
    {
        using var node = new OperabilityNode();
        string other = Path.Combine(node.ConfDir, "05-other.conflist");
        File.WriteAllText(other, """{"cniVersion":"1.0.0","name":"other","plugins":[{"type":"bridge"}]}""");

        DoctorRun run = node.Doctor();

        var finding = run.Single("conflist", $"{other} (network other, bridge) sorts before 10-cniv6.conflist");
        Assert.Equal("fail", finding.Status);
        Assert.Equal($"mv {other} {other}.disabled", finding.Fix);
        Assert.True(node.RunFix(finding.Fix!).Succeeded);
        Assert.Equal("ok", node.Doctor().Single("conflist", node.ConflistPath).Status);
    }

    [Fact]
    public void A_conflist_below_cniVersion_1_1_0_warns_that_GC_and_STATUS_never_come()
    {
        using var node = new OperabilityNode();
        var list = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(node.ConflistPath))!.AsObject();
        list.Remove("cniVersions");
        File.WriteAllText(node.ConflistPath, list.ToJsonString());

        DoctorRun run = node.Doctor();

        var finding = run.Single("conflist", "declares cniVersion 1.0.0 only: runtimes never call GC or STATUS (1.1.0)");
        Assert.Equal("warn", finding.Status);
        Assert.Equal($"add \"cniVersions\": [\"1.0.0\", \"1.1.0\"] to {node.ConflistPath}", finding.Fix);
    }

    [Fact]
    public void A_missing_or_different_plugin_binary_is_reported()
    {
        using var node = new OperabilityNode();
        File.Delete(Path.Combine(node.BinDir, "cniv6"));

        var missing = node.Doctor().Single("plugin", "does not exist");
        Assert.Equal("fail", missing.Status);
        Assert.Equal($"install -m 0755 {RepoLayout.PluginBinary} {node.BinDir}/cniv6", missing.Fix);

        File.WriteAllText(Path.Combine(node.BinDir, "cniv6"), "#!/bin/sh\necho 'CNI cniv6 plugin v0.0.1'\n");
        File.SetUnixFileMode(Path.Combine(node.BinDir, "cniv6"), (UnixFileMode)0b111_101_101);
        var old = node.Doctor().Single("plugin", "is v0.0.1, this doctor is v");
        Assert.Equal("warn", old.Status);
    }

    [Fact]
    public void A_leaked_allocation_is_found_and_the_printed_release_frees_it()
    {
        using var node = new OperabilityNode();
        node.AddPod();
        PodSandbox leaked = node.AddPod();
        IPAddress address = leaked.Address(AddressFamily.InterNetworkV6);
        leaked.Namespace.Delete(); // the runtime lost the sandbox and never called DEL: netns and veth are gone

        DoctorRun run = node.Doctor();

        Assert.Equal(0, run.Process.ExitCode);
        var leak = run.Single("ipam", $"leak: {address}");
        Assert.Equal("warn", leak.Status);
        Assert.Contains($"held by {leaked.ContainerId}/eth0 (pod default/pod-{leaked.ContainerId}): its netns and host veth are gone", leak.Found, StringComparison.Ordinal);
        // Just leaked: the agent's reclaim (the same rule, LeakedAllocations) leaves it for its grace period first.
        Assert.Contains("within the 60s grace period: cniv6-agent reclaims it after that", leak.Found, StringComparison.Ordinal);
        Assert.Equal($"cniv6 ipam release {leaked.ContainerId} --yes --conf-dir {node.ConfDir}", leak.Fix);
        Assert.Equal("ok", run.Single("ipam", "pool fd00:6f::/64: 2 used").Status);

        ProcessResult released = node.RunFix(leak.Fix!);
        Assert.True(released.Succeeded, released.Describe());
        DoctorRun after = node.Doctor();
        Assert.Equal("ok", after.Single("ipam", "1 allocations of network cv6o-net, no leaks").Status);
    }

    [Fact]
    public void A_host_veth_without_allocation_is_an_orphan_to_delete()
    {
        using var node = new OperabilityNode();
        PodSandbox pod = node.AddPod();
        node.Namespace.ExecChecked(RepoLayout.PluginBinary, "ipam", "release", pod.ContainerId, "--yes", "--conf-dir", node.ConfDir);
        string veth = NodeNaming.HostVeth(pod.ContainerId, pod.IfName);

        var orphan = node.Doctor().Single("ipam", $"host veth {veth}");
        Assert.Equal("warn", orphan.Status);
        Assert.Equal($"ip link del {veth}", orphan.Fix);
    }

    [Fact]
    public void IPv6_only_pools_with_an_IPv4_only_resolv_conf_warn_with_the_fix()
    {
        using var node = new OperabilityNode("fd00:6f::/64");
        File.WriteAllText(node.ResolvConf, "search cluster.example\nnameserver 168.63.129.16\n");

        var finding = node.Doctor().Single("dns", "pools are IPv6-only but every resolver");
        Assert.Equal("warn", finding.Status);
        Assert.Contains("is IPv4 (168.63.129.16): CoreDNS cannot reach its upstreams", finding.Found, StringComparison.Ordinal);
        Assert.StartsWith($"give {node.ResolvConf} an IPv6 resolver", finding.Fix, StringComparison.Ordinal);
        Assert.Contains("forward . <IPv6 resolver>", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_listener_on_port_53_in_the_node_warns()
    {
        using var node = new OperabilityNode();
        using Socket listener = NetNamespace.Run(node.Namespace.Path, () =>
        {
            var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Parse("2001:db8:c6::2"), 53));
            return socket;
        });

        var finding = node.Doctor().Single("dns-port", "port 53 is taken (udp [2001:db8:c6::2]:53)");
        Assert.Equal("warn", finding.Status);
        Assert.StartsWith("ss -lntup 'sport = :53'", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pod_MTU_larger_than_the_uplink_s_fails()
    {
        using var node = new OperabilityNode();
        node.AddPod();
        node.Namespace.Ip("link", "set", OperabilityNode.Uplink, "mtu", "1400");

        DoctorRun run = node.Doctor();

        Assert.Equal(1, run.Process.ExitCode);
        var configured = run.Single("mtu", $"configured pod MTU 1500 > uplink {OperabilityNode.Uplink} MTU 1400");
        Assert.Equal("fail", configured.Status);
        Assert.StartsWith($"set \"mtu\": 1400 in {node.ConflistPath}", configured.Fix, StringComparison.Ordinal);
        Assert.Equal("fail", run.Single("mtu", "1 pod veth(s) with MTU > uplink").Status);
    }

    [Fact]
    public void With_an_overlay_tunnel_the_pod_MTU_must_fit_the_tunnel_device()
    {
        using var node = new OperabilityNode();
        node.AddPod();
        node.Namespace.Ip("link", "add", "cniv6.vx6", "mtu", "1430", "type", "vxlan", "id", "42", "dstport", "4789", "local", "2001:db8:c6::2", "dev", OperabilityNode.Uplink);

        DoctorRun run = node.Doctor();

        var finding = run.Single("mtu", $"configured pod MTU 1500 > tunnel cniv6.vx6 MTU 1430 (uplink {OperabilityNode.Uplink} 1500 less the encapsulation)");
        Assert.Equal("fail", finding.Status);
        Assert.StartsWith($"set \"mtu\": 1430 in {node.ConflistPath}", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Bridge_netfilter_off_warns_when_the_module_is_there()
    {
        using var node = new OperabilityNode();
        if (node.Namespace.Exec("sysctl", "-n", "net.bridge.bridge-nf-call-ip6tables").ExitCode != 0)
        {
            Assert.Equal("ok", node.Doctor().Single("bridge-nf", "br_netfilter not loaded").Status);
            return;
        }

        node.Sysctl("net.bridge.bridge-nf-call-ip6tables", "0");

        var finding = node.Doctor().Single("bridge-nf", "net.bridge.bridge-nf-call-ip6tables = 0");
        Assert.Equal("warn", finding.Status);
        Assert.StartsWith("sysctl -w net.bridge.bridge-nf-call-ip6tables=1", finding.Fix, StringComparison.Ordinal);
        Assert.True(node.RunFix(finding.Fix!.Split(" && ")[0]).Succeeded);
        Assert.Equal("ok", node.Doctor().Single("bridge-nf", "ip6tables = 1").Status);
    }

    [Fact]
    public void Pools_other_than_the_node_s_pod_CIDRs_fail_and_the_agent_s_pools_are_ok()
    {
        // The record as cniv6-agent's conflist controller writes it (the agent e2e proves it does): this node's pod
        // CIDRs are fd00:6f:1::/64 and 10.111.1.0/24, but the conflist still hands out the old pools.
        using var node = new OperabilityNode();
        node.AgentRecords.WriteNode(new AgentNodeRecord("cv6k-node", node.ConflistPath, node.NetworkName, ["fd00:6f:1::/64", "10.111.1.0/24"], 60));

        DoctorRun run = node.Doctor();

        Assert.Equal(1, run.Process.ExitCode);
        var finding = run.Single("pod-cidrs", "not a pod CIDR of node cv6k-node");
        Assert.Equal("fail", finding.Status);
        Assert.Contains($"pod CIDR 10.111.1.0/24, fd00:6f:1::/64 of node cv6k-node not in {node.ConflistPath}", finding.Found, StringComparison.Ordinal);
        Assert.StartsWith($"restart cniv6-agent so it rewrites {node.ConflistPath} with pools 10.111.1.0/24, fd00:6f:1::/64", finding.Fix, StringComparison.Ordinal);

        node.AgentRecords.WriteNode(new AgentNodeRecord("cv6k-node", node.ConflistPath, node.NetworkName, [.. node.Pools], 60));
        Assert.Equal("ok", node.Doctor().Single("pod-cidrs", "are node cv6k-node's pod CIDRs").Status);
    }

    [Fact]
    public void A_leak_past_the_agent_s_recorded_grace_period_is_what_the_agent_reclaims_next()
    {
        using var node = new OperabilityNode();
        PodSandbox leaked = node.AddPod();
        IPAddress address = leaked.Address(AddressFamily.InterNetworkV6);
        leaked.Namespace.Delete();
        node.AgentRecords.WriteNode(new AgentNodeRecord("cv6k-node", node.ConflistPath, node.NetworkName, [.. node.Pools], 0));

        var leak = node.Doctor().Single("ipam", $"leak: {address}");

        Assert.Equal("warn", leak.Status);
        Assert.EndsWith("ago: cniv6-agent reclaims it on its next full resync", leak.Found, StringComparison.Ordinal);
    }

    [Fact]
    public void Vxlan_tunnel_device_FDB_entries_and_state_are_checked_against_the_agent_s_record_and_each_fix_repairs()
    {
        // A node where cniv6-agent runs the vxlan mode: its device as the agent creates it, the agent's records of
        // what it installed, and one peer's FDB entry. (The agent e2e OverlayTests check the agent's own records.)
        using var node = new OperabilityNode();
        node.Namespace.Ip("link", "add", "cniv6.vx6", "address", "0e:01:02:03:04:05", "mtu", "1430", "type", "vxlan", "id", "4096",
            "dstport", "4789", "local", "2001:db8:c6::2", "nolearning");
        node.Namespace.Ip("link", "set", "cniv6.vx6", "up");
        node.Namespace.ExecChecked("bridge", "fdb", "append", "0e:aa:bb:cc:dd:ee", "dev", "cniv6.vx6", "dst", "2001:db8:c6::9", "self", "permanent");
        NodeStateFiles records = node.AgentRecords;
        Directory.CreateDirectory(records.Directory);
        File.WriteAllText(records.RoutingModePath, "vxlan\n");
        records.WriteOverlay(new OverlayRecord("vxlan", 4096, 4789,
            [new OverlayDeviceRecord("cniv6.vx6", "2001:db8:c6::2", "0e:01:02:03:04:05", 1430)],
            [new OverlayPeerRecord("cv6k-peer", "cniv6.vx6", "2001:db8:c6::9", "0e:aa:bb:cc:dd:ee")]));

        Assert.Equal("ok", node.Doctor().Single("routing", "mode vxlan: cniv6.vx6 up, VNI 4096, port 4789, local 2001:db8:c6::2, MTU 1430, FDB entries for 1 peer(s)").Status);

        node.Namespace.ExecChecked("bridge", "fdb", "del", "0e:aa:bb:cc:dd:ee", "dev", "cniv6.vx6", "dst", "2001:db8:c6::9", "self");
        node.Namespace.Ip("link", "set", "cniv6.vx6", "down");
        DoctorRun broken = node.Doctor();

        Assert.Equal(1, broken.Process.ExitCode);
        var fdb = broken.Single("routing", "no FDB entry for peer cv6k-peer (0e:aa:bb:cc:dd:ee -> 2001:db8:c6::9)");
        Assert.Equal("fail", fdb.Status);
        Assert.Equal("bridge fdb replace 0e:aa:bb:cc:dd:ee dev cniv6.vx6 dst 2001:db8:c6::9 self permanent", fdb.Fix);
        var down = broken.Single("routing", "cniv6.vx6 is down");
        Assert.Equal("ip link set cniv6.vx6 up", down.Fix);

        Assert.True(node.RunFix(fdb.Fix!).Succeeded);
        Assert.True(node.RunFix(down.Fix!).Succeeded);
        Assert.Equal("ok", node.Doctor().Single("routing", "FDB entries for 1 peer(s)").Status);

        // The agent's mode is one the doctor does not know (a newer agent): said, not guessed.
        File.WriteAllText(records.RoutingModePath, "carrier-pigeon\n");
        Assert.Equal("warn", node.Doctor().Single("routing", "routing mode 'carrier-pigeon', which this doctor does not know").Status);
    }
}
