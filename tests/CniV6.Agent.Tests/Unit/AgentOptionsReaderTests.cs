using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane.Routing.Bgp;
using CniV6.Agent.Dataplane.Routing.Vxlan;
using Microsoft.Extensions.Configuration;

namespace CniV6.Agent.Tests.Unit;

public sealed class AgentOptionsReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6a-config-").FullName;

    private static AgentOptions Read(string[] args, Dictionary<string, string> environment)
    {
        var builder = new ConfigurationBuilder();
        AgentConfiguration.Build(builder, args, environment);
        return AgentOptionsReader.Read(builder.Build());
    }

    [Fact]
    public void Reads_a_static_config_file_with_pools_and_peers()
    {
        var file = Path.Combine(_dir, "agent.json");
        File.WriteAllText(file, """
            {
              "NodeName": "edge-1",
              "Source": "static",
              "Cni": { "Mtu": 1400, "ConfDir": "/tmp/net.d", "Portmap": false, "MasqueradeExclude": ["fd00:10:96::/112"] },
              "Health": { "Port": 9700, "Address": "::1" },
              "Static": {
                "Pools": ["fd00:10:244:1::/64", "10.244.1.0/24"],
                "Peers": [
                  { "Name": "edge-2", "Addresses": ["fd00:a11::12", "10.99.0.12"], "PodCidrs": ["fd00:10:244:2::/64", "10.244.2.0/24"] }
                ]
              }
            }
            """);

        var options = Read(["--config", file], []);

        Assert.Equal("edge-1", options.NodeName);
        Assert.Equal(ClusterSourceKind.Static, options.Source);
        Assert.Equal(1400, options.Mtu);
        Assert.Equal("/tmp/net.d", options.CniConfDir);
        Assert.False(options.Portmap);
        Assert.Equal(9700, options.HealthPort);
        Assert.Equal(IPAddress.IPv6Loopback, options.HealthAddress);
        Assert.Equal([IPNetwork.Parse("fd00:10:96::/112")], options.ExtraMasqueradeExcludes);
        Assert.Equal([IPNetwork.Parse("fd00:10:244:1::/64"), IPNetwork.Parse("10.244.1.0/24")], options.StaticPools);
        var peer = Assert.Single(options.StaticPeers);
        Assert.Equal("edge-2", peer.Name);
        Assert.Equal([IPAddress.Parse("fd00:a11::12"), IPAddress.Parse("10.99.0.12")], peer.InternalAddresses);
        Assert.Equal([IPNetwork.Parse("fd00:10:244:2::/64"), IPNetwork.Parse("10.244.2.0/24")], peer.PodCidrs);
    }

    [Fact]
    public void Reading_20000_static_peers_takes_time_linear_in_the_peers()
    {
        // Each peer's lists were read with GetChildren, which scans every key of the configuration: 20 000 peers made
        // 40 000 scans of 100 000 keys (minutes of CPU). Read by index it is a few lookups per peer. CPU time, not
        // wall-clock time: the machine may be shared.
        var file = Path.Combine(_dir, "agent.json");
        var peers = string.Join(",\n", Enumerable.Range(0, 20_000).Select(i =>
            $$"""{ "Name": "n{{i}}", "Addresses": ["fd00:a11::{{i + 16:x}}", "10.{{96 + i / 65536}}.{{i / 256 % 256}}.{{i % 256}}"], "PodCidrs": ["fd00:10:0:{{i:x}}::/64", "10.{{128 + i / 256}}.{{i % 256}}.0/24"] }"""));
        File.WriteAllText(file, $$"""{ "NodeName": "self", "Source": "static", "Static": { "Pools": ["fd00:10:ff:1::/64"], "Peers": [{{peers}}] } }""");

        var (options, cpu) = Infrastructure.ThreadCpuTime.Measure(() => Read(["--config", file], []));

        Assert.Equal(20_000, options.StaticPeers.Count);
        var last = options.StaticPeers[^1];
        Assert.Equal("n19999", last.Name);
        Assert.Equal([IPAddress.Parse("fd00:a11::4e2f"), IPAddress.Parse("10.96.78.31")], last.InternalAddresses);
        Assert.Equal([IPNetwork.Parse("fd00:10:0:4e1f::/64"), IPNetwork.Parse("10.206.31.0/24")], last.PodCidrs);
        Assert.True(cpu < TimeSpan.FromSeconds(6), $"reading 20 000 peers took {cpu.TotalSeconds:0.00} s of CPU");
    }

    [Fact]
    public void A_peers_lists_may_be_one_comma_separated_value_as_the_environment_gives_them()
    {
        var file = Path.Combine(_dir, "agent.json");
        File.WriteAllText(file, """{ "NodeName": "n1", "Source": "static", "Static": { "Pools": ["fd00:10:244:1::/64"], "Peers": [ { "Name": "n2", "Addresses": ["fd00:a11::12"] } ] } }""");

        var peer = Assert.Single(Read(["--config", file], new()
        {
            ["CNIV6_STATIC__PEERS__0__ADDRESSES"] = "fd00:a11::22, 10.99.0.22",
            ["CNIV6_STATIC__PEERS__0__PODCIDRS"] = "fd00:10:244:2::/64,10.244.2.0/24",
        }).StaticPeers);

        Assert.Equal([IPAddress.Parse("fd00:a11::22"), IPAddress.Parse("10.99.0.22")], peer.InternalAddresses);
        Assert.Equal([IPNetwork.Parse("fd00:10:244:2::/64"), IPNetwork.Parse("10.244.2.0/24")], peer.PodCidrs);
    }

    [Fact]
    public void Flags_override_environment_which_overrides_the_file()
    {
        var file = Path.Combine(_dir, "agent.json");
        File.WriteAllText(file, """{ "NodeName": "from-file", "Cni": { "BinDir": "/file/bin", "Mtu": 1300 } }""");

        var options = Read(
            ["--kubeconfig", "/k", "--mtu", "1420"],
            new() { ["CNIV6_CONFIG"] = file, ["NODE_NAME"] = "from-downward-api", ["CNIV6_CNI__BINDIR"] = "/env/bin", ["CNIV6_CNI__MTU"] = "1350" });

        Assert.Equal("from-downward-api", options.NodeName);
        Assert.Equal("/env/bin", options.CniBinDir);
        Assert.Equal(1420, options.Mtu);
        Assert.Equal("/k", options.Kubeconfig);
        Assert.Equal(ClusterSourceKind.Kubernetes, options.Source);
    }

    [Fact]
    public void Defaults_are_the_host_paths()
    {
        var options = Read(["--node-name", "n1", "--config", WriteEmptyFile()], []);

        Assert.Equal("/etc/cni/net.d", options.CniConfDir);
        Assert.Equal("10-cniv6.conflist", options.CniConfFileName);
        Assert.Equal("/opt/cni/bin", options.CniBinDir);
        Assert.Equal("/var/lib/cni/cniv6", options.IpamDataDir);
        Assert.Equal(9646, options.HealthPort);
        Assert.Equal(IPAddress.Loopback, options.HealthAddress);
        Assert.Null(options.Mtu);
        Assert.True(options.IpMasq);
        Assert.True(options.Portmap);
        Assert.Equal(["/usr/lib/cniv6/plugins", "/usr/lib/cni"], options.ReferencePluginDirs);
    }

    [Fact]
    public void Reference_plugin_dirs_come_from_flag_or_environment_and_empty_means_none()
    {
        var fromFlag = Read(["--node-name", "n1", "--config", WriteEmptyFile(), "--reference-plugin-dirs", "/a, /b/c"], []);
        var fromEnvironment = Read(["--node-name", "n1", "--config", WriteEmptyFile()], new() { ["CNIV6_CNI__REFERENCEPLUGINDIRS"] = "/srv/cni" });
        var none = Read(["--node-name", "n1", "--config", WriteEmptyFile(), "--reference-plugin-dirs", ""], []);

        Assert.Equal(["/a", "/b/c"], fromFlag.ReferencePluginDirs);
        Assert.Equal(["/srv/cni"], fromEnvironment.ReferencePluginDirs);
        Assert.Empty(none.ReferencePluginDirs);
    }

    [Theory]
    [InlineData("--mtu", "jumbo", "Cni:Mtu")]
    [InlineData("--source", "consul", "Source")]
    [InlineData("--health-port", "70000", "Health:Port")]
    [InlineData("--reference-plugin-dirs", "usr/lib/cni", "Cni:ReferencePluginDirs")]
    public void Malformed_values_are_named_in_the_error(string flag, string value, string key)
    {
        var error = Assert.Throws<AgentConfigurationException>(() => Read(["--node-name", "n1", "--config", WriteEmptyFile(), flag, value], []));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Routing_mode_is_auto_by_default_and_set_by_file_environment_or_flag()
    {
        var file = Path.Combine(_dir, "routing.json");
        File.WriteAllText(file, """{ "NodeName": "n1", "Routing": { "Mode": "vxlan" } }""");

        Assert.Equal("auto", Read(["--node-name", "n1", "--config", WriteEmptyFile()], []).RoutingMode);
        Assert.Equal("vxlan", Read(["--config", file], []).RoutingMode);
        Assert.Equal("hostgw", Read(["--config", file], new() { ["CNIV6_ROUTING__MODE"] = "HostGW" }).RoutingMode);
        Assert.Equal("auto", Read(["--config", file, "--routing-mode", "auto"], new() { ["CNIV6_ROUTING__MODE"] = "hostgw" }).RoutingMode);

        // Precedence also shows as a later layer curing an earlier layer's refused value.
        Assert.Equal("vxlan", Read(["--config", file, "--routing-mode", "vxlan"], new() { ["CNIV6_ROUTING__MODE"] = "ebpf" }).RoutingMode);
    }

    [Theory]
    [InlineData("--routing-mode", "ebpf")]
    [InlineData("--routing-mode", "host-gw")]
    [InlineData("--routing-mode", "vxlan4")]
    public void An_unknown_routing_mode_is_refused_with_the_known_ones_named(string flag, string value)
    {
        var error = Assert.Throws<AgentConfigurationException>(() => Read(["--node-name", "n1", "--config", WriteEmptyFile(), flag, value], []));

        Assert.Equal($"Routing:Mode must be \"auto\" or \"bgp\" or \"hostgw\" or \"vxlan\", not \"{value}\"", error.Message);
    }

    [Fact]
    public void Vxlan_settings_default_to_VNI_4096_port_4789_and_an_IPv6_underlay_and_are_configurable()
    {
        var defaults = Read(["--node-name", "n1", "--config", WriteEmptyFile()], []).Vxlan;
        Assert.Equal(new VxlanOptions(4096, 4789, AddressFamily.InterNetworkV6), defaults);

        var set = Read(["--node-name", "n1", "--config", WriteEmptyFile(), "--vxlan-vni", "77", "--vxlan-underlay", "IPv4"],
                       new() { ["CNIV6_VXLAN__PORT"] = "8472" }).Vxlan;
        Assert.Equal(new VxlanOptions(77, 8472, AddressFamily.InterNetwork), set);
    }

    [Theory]
    [InlineData("--vxlan-vni", "0", "Vxlan:Vni")]
    [InlineData("--vxlan-vni", "16777216", "Vxlan:Vni")]
    [InlineData("--vxlan-port", "0", "Vxlan:Port")]
    [InlineData("--vxlan-port", "65536", "Vxlan:Port")]
    [InlineData("--vxlan-underlay", "ipx", "Vxlan:Underlay")]
    public void Unusable_vxlan_settings_are_refused_by_name(string flag, string value, string key)
    {
        var error = Assert.Throws<AgentConfigurationException>(() => Read(["--node-name", "n1", "--config", WriteEmptyFile(), flag, value], []));

        Assert.StartsWith(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bgp_settings_default_to_a_private_as_and_a_mesh_and_read_peers_from_the_file()
    {
        var defaults = Read(["--node-name", "n1", "--config", WriteEmptyFile()], []).Bgp;
        Assert.Equal(new BgpOptions(), defaults);
        Assert.Equal(64512u, defaults.As);
        Assert.True(defaults.Mesh);

        var file = Path.Combine(_dir, "bgp.json");
        File.WriteAllText(file, """
            { "NodeName": "n1", "Routing": { "Mode": "bgp" },
              "Bgp": { "As": "4200000001", "Mesh": false,
                       "Peers": [ { "Address": "fd00:a11::1", "As": "65000", "Password": "s3cret", "Nodes": "n1,n2" },
                                  { "Address": "10.99.0.1", "As": "65000", "Multihop": "2" } ] } }
            """);
        var set = Read(["--config", file, "--bgp-route-reflector", "true"], []).Bgp;

        Assert.Equal(new BgpOptions(4200000001, Mesh: false, RouteReflector: true, Peers:
        [
            new BgpPeer(IPAddress.Parse("fd00:a11::1"), 65000, "s3cret", null, ["n1", "n2"]),
            new BgpPeer(IPAddress.Parse("10.99.0.1"), 65000, null, 2, []),
        ]), set);
        Assert.True(set.PeerList[0].AppliesTo("n2"));
        Assert.False(set.PeerList[0].AppliesTo("n3"));
        Assert.True(set.PeerList[1].AppliesTo("n3"));
    }

    [Theory]
    [InlineData("CNIV6_BGP__AS", "0", "Bgp:As")]
    [InlineData("CNIV6_BGP__AS", "4294967295", "Bgp:As")]
    [InlineData("CNIV6_BGP__AS", "-1", "Bgp:As")]
    [InlineData("CNIV6_BGP__PEERS__0__AS", "65000", "Bgp:Peers:0:Address")]
    [InlineData("CNIV6_BGP__PEERS__0__PASSWORD", "a\"b", "Bgp:Peers:0:Password")]
    [InlineData("CNIV6_BGP__RUNDIRECTORY", "relative/bgp", "Bgp:RunDirectory")]
    public void Unusable_bgp_settings_are_refused_by_name(string variable, string value, string key)
    {
        var environment = new Dictionary<string, string> { [variable] = value };
        if (variable.StartsWith("CNIV6_BGP__PEERS__0__", StringComparison.Ordinal) && !variable.EndsWith("__AS", StringComparison.Ordinal))
        {
            environment["CNIV6_BGP__PEERS__0__ADDRESS"] = "fd00::1";
            environment["CNIV6_BGP__PEERS__0__AS"] = "65000";
        }

        var error = Assert.Throws<AgentConfigurationException>(() => Read(["--node-name", "n1", "--config", WriteEmptyFile()], environment));

        Assert.StartsWith(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Static_addresses_are_this_nodes_own_and_must_be_addresses()
    {
        var file = Path.Combine(_dir, "static.json");
        File.WriteAllText(file, """{ "NodeName": "n1", "Source": "static", "Static": { "Pools": ["fd00:10:244:1::/64"], "Addresses": ["fd00:a11::11", "10.99.0.11"] } }""");

        Assert.Equal([IPAddress.Parse("fd00:a11::11"), IPAddress.Parse("10.99.0.11")], Read(["--config", file], []).StaticAddresses);
        Assert.Equal([IPAddress.Parse("fd00:a11::12")], Read(["--config", file], new() { ["CNIV6_STATIC__ADDRESSES"] = "fd00:a11::12" }).StaticAddresses);
        Assert.Throws<AgentConfigurationException>(() => Read(["--config", file], new() { ["CNIV6_STATIC__ADDRESSES"] = "fd00:a11::/64" }));
    }

    [Fact]
    public void Routing_mode_from_the_environment_is_checked_too()
    {
        var error = Assert.Throws<AgentConfigurationException>(() => Read(["--node-name", "n1", "--config", WriteEmptyFile()], new() { ["CNIV6_ROUTING__MODE"] = "ebpf" }));

        Assert.Contains("Routing:Mode", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--network-name", "bad name", "Cni:NetworkName")]
    [InlineData("--network-name", "has/slash", "Cni:NetworkName")]
    [InlineData("--ipam-data-dir", "relative/ipam", "Cni:IpamDataDir")]
    [InlineData("--ipam-reclaim-grace-seconds", "-1", "Cni:IpamReclaimGraceSeconds")]
    public void Values_the_plugin_would_refuse_in_the_conflist_are_refused_at_start(string flag, string value, string key)
    {
        var error = Assert.Throws<AgentConfigurationException>(() => Read(["--node-name", "n1", "--config", WriteEmptyFile(), flag, value], []));

        Assert.StartsWith(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_name_is_required()
    {
        Assert.Throws<AgentConfigurationException>(() => Read(["--config", WriteEmptyFile()], []));
    }

    [Fact]
    public void Static_source_needs_pools_with_host_bits_zero()
    {
        var file = Path.Combine(_dir, "bad.json");
        File.WriteAllText(file, """{ "NodeName": "n1", "Source": "static", "Static": { "Pools": ["fd00:10:244:1::1/64"] } }""");

        var error = Assert.Throws<AgentConfigurationException>(() => Read(["--config", file], []));

        Assert.Contains("Static:Pools", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_explicit_config_file_is_an_error()
    {
        Assert.Throws<FileNotFoundException>(() => Read(["--node-name", "n1", "--config", Path.Combine(_dir, "nope.json")], []));
    }

    private string WriteEmptyFile()
    {
        var file = Path.Combine(_dir, "empty.json");
        File.WriteAllText(file, "{}");
        return file;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
