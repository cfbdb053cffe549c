using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using CniV6.Core.Ipam;
using CniV6.Core.Nat;
using CniV6.Core.Pod;
using CniV6.Netlink;
using CniV6.Plugin.Doctor;
using CniV6.Plugin.Doctor.Checks;

namespace CniV6.UnitTests.Doctor;

/// <summary>The decisions of each doctor check from given inputs; the namespace e2e tests prove the inputs are read right.</summary>
[SupportedOSPlatform("linux")]
public sealed class DoctorEvaluationTests
{
    [Fact]
    public void Forwarding_off_fails_and_the_IPv6_fix_protects_RA_interfaces_first()
    {
        var finding = ForwardingCheck.Evaluate(AddressFamily.InterNetworkV6, "0", ["eth0", "eth0.100"]);

        Assert.Equal(DoctorStatus.Fail, finding.Status);
        Assert.Equal("sysctl -w net.ipv6.conf.eth0.accept_ra=2 net.ipv6.conf.eth0/100.accept_ra=2 net.ipv6.conf.all.forwarding=1", finding.Fix);
        Assert.Equal(DoctorStatus.Ok, ForwardingCheck.Evaluate(AddressFamily.InterNetwork, "1", []).Status);
        Assert.Equal("sysctl -w net.ipv4.ip_forward=1", ForwardingCheck.Evaluate(AddressFamily.InterNetwork, "0", []).Fix);
    }

    [Theory]
    [InlineData(true, "1", "fail")]
    [InlineData(true, "0", "fail")]
    [InlineData(true, "2", "ok")]
    [InlineData(false, "1", "warn")]
    [InlineData(false, "2", "ok")]
    public void An_RA_default_route_needs_accept_ra_2_once_forwarding_is_on(bool forwarding, string acceptRa, string expected)
    {
        var finding = Assert.Single(AcceptRaCheck.Evaluate(forwarding, [("eth0", acceptRa)]));

        Assert.Equal(expected, DoctorReport.StatusText(finding.Status));
        if (expected != "ok")
        {
            Assert.Equal("sysctl -w net.ipv6.conf.eth0.accept_ra=2", finding.Fix);
        }
    }

    [Fact]
    public void No_default_route_fails_per_family()
    {
        Assert.Equal(DoctorStatus.Ok, DefaultRouteCheck.Evaluate(AddressFamily.InterNetworkV6, ["via fe80::1 dev eth0"], "eth0").Status);
        var missing = DefaultRouteCheck.Evaluate(AddressFamily.InterNetworkV6, [], "eth0");
        Assert.Equal(DoctorStatus.Fail, missing.Status);
        Assert.StartsWith("ip -6 route add default via <router-address> dev eth0", missing.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flushed_nat_table_fails_with_the_restore_script_that_puts_chain_and_jump_back()
    {
        var plan = MasqueradePlan.For("podnet", [IPNetwork.Parse("fd00:10::/64")], []);
        var chain = IptablesMasqueradeChain.For(plan, plan.Families[0]);
        var commands = new IptablesCommands(IptablesVariant.Nft, AddressFamily.InterNetworkV6);

        var finding = MasqueradeCheck.Evaluate(chain, commands, new IptablesResult(0, "*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n", ""));

        Assert.Equal(DoctorStatus.Fail, finding.Status);
        Assert.Contains($"chain {chain.Chain} of network podnet is missing", finding.Found, StringComparison.Ordinal);
        Assert.StartsWith($"printf '%s\\n' '*nat' ':{chain.Chain} - [0:0]' '-A {chain.Chain} -d fd00:10::/64 -j RETURN'", finding.Fix, StringComparison.Ordinal);
        Assert.Contains($"'-A POSTROUTING -m comment --comment \"cniv6 masquerade podnet\" -j {chain.Chain}' COMMIT | ip6tables-nft-restore --noflush", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_nat_table_fails_with_the_module_to_load()
    {
        var plan = MasqueradePlan.For("podnet", [IPNetwork.Parse("fd00:10::/64")], []);
        var chain = IptablesMasqueradeChain.For(plan, plan.Families[0]);
        var commands = new IptablesCommands(IptablesVariant.Legacy, AddressFamily.InterNetworkV6);

        var finding = MasqueradeCheck.Evaluate(chain, commands,
            new IptablesResult(3, "", "ip6tables-save v1.8.9 (legacy): can't initialize ip6tables table `nat': Table does not exist (do you need to insmod?)\n"));

        Assert.Equal(DoctorStatus.Fail, finding.Status);
        Assert.Contains("can't initialize ip6tables table `nat'", finding.Found, StringComparison.Ordinal);
        Assert.StartsWith("modprobe ip6table_nat", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Kube_proxy_chains_should_live_in_the_iptables_variant_cniv6_uses()
    {
        Assert.Equal(DoctorStatus.Ok, IptablesVariantCheck.Evaluate(IptablesVariant.Nft, 0, 0).Status);
        Assert.Equal(DoctorStatus.Ok, IptablesVariantCheck.Evaluate(IptablesVariant.Nft, 12, 0).Status);
        Assert.Equal(DoctorStatus.Ok, IptablesVariantCheck.Evaluate(IptablesVariant.Legacy, 0, 3).Status);
        var split = IptablesVariantCheck.Evaluate(IptablesVariant.Nft, 0, 3);
        Assert.Equal(DoctorStatus.Warn, split.Status);
        Assert.Equal("cniv6's rules are in iptables-nft but kube-proxy's chains (KUBE-*) are in iptables-legacy", split.Found);
        Assert.Equal(DoctorStatus.Warn, IptablesVariantCheck.Evaluate(IptablesVariant.Nft, 2, 3).Status);
    }

    [Fact]
    public void Leaks_are_what_the_shared_rule_says_and_orphans_are_our_veths_without_allocation()
    {
        IPNetwork pool = IPNetwork.Parse("fd00:10::/120");
        var now = DateTimeOffset.UtcNow;
        Allocation live = new("live", "eth0", [IPAddress.Parse("fd00:10::2")], "/run/netns/live", now);
        Allocation gone = new("gone", "eth0", [IPAddress.Parse("fd00:10::3")], "/run/netns/gone", now - TimeSpan.FromMinutes(5), new PodReference("default", "web"));
        Allocation young = new("young", "eth0", [IPAddress.Parse("fd00:10::4")], "/run/netns/young", now - TimeSpan.FromSeconds(10));
        Allocation vethOnly = new("vethonly", "eth0", [IPAddress.Parse("fd00:10::5")], "/run/netns/vethonly", now);
        LinkInfo[] veths =
        [
            Veth(HostVethName.For("vethonly", "eth0"), "cniv6 podnet vethonly eth0"),
            Veth("cv6orphan0000", "cniv6 podnet orphan eth0"),
            Veth("cv6othernet000", "cniv6 othernet x eth0"),
        ];

        var findings = IpamCheck.Evaluate("podnet", [pool], new Dictionary<IPNetwork, UInt128> { [pool] = 251 },
            [(live, LeakState.NetnsPresentOrUnknown), (gone, LeakState.Leaked), (young, LeakState.WithinGrace), (vethOnly, LeakState.HostVethPresent)],
            veths, now, TimeSpan.FromSeconds(60), " --conf-dir /x").ToList();

        Assert.Equal(DoctorStatus.Ok, findings[0].Status);
        Assert.Equal("pool fd00:10::/120: 4 used, 251 free", findings[0].Found);
        var leaks = findings.Where(f => f.Found.StartsWith("leak:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, leaks.Count);
        Assert.All(leaks, l => Assert.Equal(DoctorStatus.Warn, l.Status));
        Assert.Equal("leak: fd00:10::3 held by gone/eth0 (pod default/web): its netns and host veth are gone, no ADD or DEL in flight; allocated 5m ago: cniv6-agent reclaims it on its next full resync", leaks[0].Found);
        Assert.Equal("cniv6 ipam release gone --yes --conf-dir /x", leaks[0].Fix);
        Assert.Contains("allocated 10s ago, within the 60s grace period: cniv6-agent reclaims it after that", leaks[1].Found, StringComparison.Ordinal);
        var orphan = Assert.Single(findings, f => f.Found.StartsWith("host veth", StringComparison.Ordinal));
        Assert.Equal("ip link del cv6orphan0000", orphan.Fix);
        Assert.Equal(4, findings.Count);
    }

    [Fact]
    public void An_exhausted_pool_fails_and_a_nearly_full_one_warns()
    {
        IPNetwork pool = IPNetwork.Parse("fd00:10::/124");
        Allocation[] held = [.. Enumerable.Range(1, 14).Select(i => new Allocation($"c{i}", "eth0", [Cidr.AddressAt(pool, (UInt128)i)], null, DateTimeOffset.UtcNow))];

        Assert.Equal(DoctorStatus.Fail, IpamCheck.Evaluate("n", [pool], new Dictionary<IPNetwork, UInt128> { [pool] = 0 }, [], [], DateTimeOffset.UtcNow, TimeSpan.FromSeconds(60), "").First().Status);
        Assert.Equal(DoctorStatus.Warn, IpamCheck.Evaluate("n", [pool], new Dictionary<IPNetwork, UInt128> { [pool] = 1 }, [.. held.Select(a => (a, LeakState.NetnsPresentOrUnknown))], [], DateTimeOffset.UtcNow, TimeSpan.FromSeconds(60), "").First().Status);
    }

    [Fact]
    public void A_pod_MTU_above_the_uplink_s_fails_whether_configured_or_on_existing_veths()
    {
        LinkInfo uplink = new(2, "eth0", null, new byte[6], 1400, true, 0, null);

        Assert.Equal(DoctorStatus.Ok, Assert.Single(MtuCheck.Evaluate(uplink, null, null, [], [])).Status);
        var configured = Assert.Single(MtuCheck.Evaluate(uplink, 1500, "/etc/cni/net.d/10-cniv6.conflist", [], []));
        Assert.Equal(DoctorStatus.Fail, configured.Status);
        Assert.Equal("configured pod MTU 1500 > uplink eth0 MTU 1400: large packets are dropped", configured.Found);
        Assert.StartsWith("set \"mtu\": 1400 in /etc/cni/net.d/10-cniv6.conflist", configured.Fix, StringComparison.Ordinal);
        Assert.Equal(DoctorStatus.Fail, Assert.Single(MtuCheck.Evaluate(uplink, 1400, null, [Veth("cv6aaaa", null) with { Mtu = 1500 }], [])).Status);
    }

    [Fact]
    public void With_an_overlay_the_tunnel_device_s_MTU_is_the_limit()
    {
        LinkInfo uplink = new(2, "eth0", null, new byte[6], 1500, true, 0, null);
        LinkInfo tunnel = new(3, "cniv6.vx6", "vxlan", new byte[6], 1430, true, 0, null);

        var finding = Assert.Single(MtuCheck.Evaluate(uplink, 1500, "/c", [], [tunnel]));

        Assert.Equal(DoctorStatus.Fail, finding.Status);
        Assert.Equal("configured pod MTU 1500 > tunnel cniv6.vx6 MTU 1430 (uplink eth0 1500 less the encapsulation): large packets are dropped", finding.Found);
        Assert.StartsWith("set \"mtu\": 1430 in /c", finding.Fix, StringComparison.Ordinal);
        Assert.Equal(DoctorStatus.Ok, Assert.Single(MtuCheck.Evaluate(uplink, 1430, "/c", [], [tunnel])).Status);
    }

    [Fact]
    public void IPv6_only_pools_with_only_IPv4_resolvers_warn_with_what_to_do()
    {
        var servers = DnsResolverCheck.Nameservers("# comment\nsearch example.com\nnameserver 168.63.129.16\nnameserver\tbogus\noptions ndots:5\n");
        Assert.Equal([IPAddress.Parse("168.63.129.16")], servers);

        var finding = Assert.Single(DnsResolverCheck.Evaluate("/etc/resolv.conf", servers, [IPNetwork.Parse("fd00:10::/64")]));
        Assert.Equal(DoctorStatus.Warn, finding.Status);
        Assert.Contains("every resolver in /etc/resolv.conf is IPv4 (168.63.129.16)", finding.Found, StringComparison.Ordinal);
        Assert.Contains("nameserver 2001:4860:4860::8888", finding.Fix, StringComparison.Ordinal);

        Assert.Equal(DoctorStatus.Ok, Assert.Single(DnsResolverCheck.Evaluate("r", servers, [IPNetwork.Parse("fd00:10::/64"), IPNetwork.Parse("10.0.0.0/24")])).Status);
        Assert.Equal(DoctorStatus.Ok, Assert.Single(DnsResolverCheck.Evaluate("r", [IPAddress.Parse("2001:db8::53")], [IPNetwork.Parse("fd00:10::/64")])).Status);
        var stub = Assert.Single(DnsResolverCheck.Evaluate("r", [IPAddress.Parse("127.0.0.53")], [IPNetwork.Parse("fd00:10::/64")]));
        Assert.Contains("--resolv-conf=/run/systemd/resolve/resolv.conf", stub.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Port_53_listeners_are_read_from_proc_net_in_host_byte_order()
    {
        const string tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
            "   0: 3500007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000   991        0 1 1 0 100 0 0 10 0\n" +
            "   1: 0100007F:0035 0200007F:1234 01 00000000:00000000 00:00000000 00000000   991        0 1 1 0 100 0 0 10 0\n" +
            "   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n";
        const string udp6 = "  sl  local_address                         remote_address                        st\n" +
            "   0: 00000000000000000000000000000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0\n" +
            "   1: B80D0120000000000000000001000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0\n";

        Assert.Equal(["127.0.0.53:53"], DnsPortCheck.Listeners("tcp", tcp).Select(e => e.ToString()));
        Assert.Equal(["[::]:53", "[2001:db8::1]:53"], DnsPortCheck.Listeners("udp6", udp6).Select(e => e.ToString()));
        Assert.Equal(DoctorStatus.Warn, DnsPortCheck.Evaluate(["udp [::]:53"]).Status);
        Assert.Equal(DoctorStatus.Ok, DnsPortCheck.Evaluate([]).Status);
    }

    [Theory]
    [InlineData(null, "ok")]
    [InlineData("1", "ok")]
    [InlineData("0", "warn")]
    public void Bridge_netfilter_matters_only_when_loaded(string? value, string expected)
    {
        var finding = BridgeNetfilterCheck.Evaluate("net/bridge/bridge-nf-call-ip6tables", value);

        Assert.Equal(expected, DoctorReport.StatusText(finding.Status));
        if (expected == "warn")
        {
            Assert.StartsWith("sysctl -w net.bridge.bridge-nf-call-ip6tables=1", finding.Fix, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_installed_plugin_must_exist_and_match_this_build()
    {
        Assert.Equal(DoctorStatus.Fail, PluginVersionCheck.Evaluate("/opt/cni/bin/cniv6", false, null, "1.2.3", "/usr/local/bin/cniv6").Status);
        Assert.Equal(DoctorStatus.Ok, PluginVersionCheck.Evaluate("/opt/cni/bin/cniv6", true, "CNI cniv6 plugin v1.2.3\nCNI protocol versions supported: 1.1.0\n", "1.2.3", null).Status);
        var old = PluginVersionCheck.Evaluate("/opt/cni/bin/cniv6", true, "CNI cniv6 plugin v1.2.2\n", "1.2.3", "/usr/local/bin/cniv6");
        Assert.Equal(DoctorStatus.Warn, old.Status);
        Assert.Equal("install -m 0755 /usr/local/bin/cniv6 /opt/cni/bin/cniv6", old.Fix);
    }

    [Fact]
    public void Report_exits_on_the_worst_finding_and_json_carries_every_field()
    {
        DoctorFinding[] findings = [DoctorFinding.Ok("a", "fine"), DoctorFinding.Warn("b", "meh", "do \"x\"")];

        Assert.Equal(DoctorStatus.Warn, DoctorReport.Worst(findings));
        string table = DoctorReport.Table(findings);
        Assert.StartsWith("CHECK  STATUS  FOUND  FIX\na      ok      fine\nb      warn    meh    do \"x\"\n", table, StringComparison.Ordinal);
        Assert.EndsWith("1 ok, 1 warn, 0 fail\n", table, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(DoctorReport.Json(findings));
        Assert.Equal("warn", json.RootElement.GetProperty("result").GetString());
        Assert.Equal("do \"x\"", json.RootElement.GetProperty("checks")[1].GetProperty("fix").GetString());
        Assert.False(json.RootElement.GetProperty("checks")[0].TryGetProperty("fix", out _));
    }

    private static LinkInfo Veth(string name, string? alias) => new(10, name, "veth", new byte[6], 1500, true, 0, 0, alias);
}
