using System.Net;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using CniV6.Core.Config;
using CniV6.Core.Nat;

namespace CniV6.UnitTests.Cni;

[SupportedOSPlatform("linux")]
public sealed class NetworkConfigParserTests
{
    [Fact]
    public void A_minimal_config_gets_the_documented_defaults()
    {
        var config = Parse("""{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":{"pools":["fd00:10:244::/64"]}}""");

        Assert.Equal("pods", config.Name);
        Assert.Equal("1.1.0", config.CniVersion);
        Assert.Equal("cniv6", config.Type);
        Assert.Null(config.Mtu);
        Assert.True(config.IpMasq);
        Assert.Empty(config.MasqueradeExclude);
        Assert.Equal("/var/log/cniv6/cniv6.log", config.LogFile);
        Assert.Equal(LogLevel.Information, config.LogLevel);
        Assert.False(config.DisableGc);
        Assert.Null(config.PrevResult);
        Assert.Null(config.RuntimeConfig);
        Assert.Empty(config.ValidAttachments);
        Assert.True(config.Ipam.IsBuiltIn);
        Assert.Equal(IpamConfig.BuiltInType, config.Ipam.Type);
        Assert.Equal([IPNetwork.Parse("fd00:10:244::/64")], config.Ipam.Pools);
        Assert.Equal("/var/lib/cni/cniv6", config.Ipam.DataDir);
    }

    [Fact]
    public void Every_field_is_read_and_unknown_fields_are_ignored()
    {
        var config = Parse("""
            {"cniVersion":"1.0.0","cniVersions":["1.0.0"],"name":"k8s-pod-network","type":"cniv6","mtu":1450,"ipMasq":false,
             "masqueradeExclude":["fd00:10:96::/112","10.96.0.0/12"],"logFile":"/run/cniv6/log","logLevel":"WARN","logFileMaxBytes":0,"logFileMaxFiles":100,"disableGC":true,
             "capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":[]},
             "ipam":{"type":"cniv6","pools":["10.244.1.0/24","fd00:10:244:1::/64"],"dataDir":"/var/lib/x"},
             "prevResult":{"cniVersion":"1.0.0","ips":[{"address":"10.244.1.2/32"}]}}
            """);

        Assert.Equal(1450, config.Mtu);
        Assert.False(config.IpMasq);
        Assert.Equal([IPNetwork.Parse("fd00:10:96::/112"), IPNetwork.Parse("10.96.0.0/12")], config.MasqueradeExclude);
        Assert.Equal("/run/cniv6/log", config.LogFile);
        Assert.Equal(LogLevel.Warning, config.LogLevel);
        Assert.Equal((0, 100), (config.LogFileMaxBytes, config.LogFileMaxFiles));
        Assert.True(config.DisableGc);
        Assert.Equal([IPNetwork.Parse("10.244.1.0/24"), IPNetwork.Parse("fd00:10:244:1::/64")], config.Ipam.Pools);
        Assert.Equal("/var/lib/x", config.Ipam.DataDir);
        Assert.Equal(JsonValueKind.Array, config.RuntimeConfig!.Value.GetProperty("portMappings").ValueKind);
        Assert.Equal("10.244.1.2/32", config.PrevResult!.Value.GetProperty("ips")[0].GetProperty("address").GetString());
    }

    [Fact]
    public void A_delegated_ipam_section_is_kept_raw_without_pools()
    {
        var config = Parse("""{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":{"type":"host-local","ranges":[[{"subnet":"10.1.2.0/24"}]]}}""");

        Assert.False(config.Ipam.IsBuiltIn);
        Assert.Equal("host-local", config.Ipam.Type);
        Assert.Empty(config.Ipam.Pools);
        Assert.Equal("10.1.2.0/24", config.Ipam.Raw!.Value.GetProperty("ranges")[0][0].GetProperty("subnet").GetString());
    }

    [Fact]
    public void Raw_sections_stay_usable_after_parsing()
    {
        var config = Parse("""{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":{"pools":["fd00::/64"]},"runtimeConfig":{"a":1}}""");
        GC.Collect();

        Assert.Equal(1, config.RuntimeConfig!.Value.GetProperty("a").GetInt32());
        Assert.Equal("fd00::/64", config.Ipam.Raw!.Value.GetProperty("pools")[0].GetString());
    }

    [Fact]
    public void GC_attachments_are_read_from_the_spec_name_or_the_early_draft_name()
    {
        var current = Parse("""{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":{"pools":["fd00::/64"]},"cni.dev/valid-attachments":[{"containerID":"c1","ifname":"eth0"}]}""", "GC");
        var draft = Parse("""{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":{"pools":["fd00::/64"]},"cni.dev/attachments":[{"containerID":"c2","ifname":"eth1"}]}""", "GC");

        Assert.Equal([new CniAttachment("c1", "eth0")], current.ValidAttachments);
        Assert.Equal([new CniAttachment("c2", "eth1")], draft.ValidAttachments);
    }

    [Theory]
    [InlineData("fd00::/126")]
    [InlineData("10.0.0.0/30")]
    [InlineData("2000::/8")]
    public void The_smallest_and_widest_allowed_pools_are_accepted(string pool)
    {
        var config = Parse("""{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":{"pools":[""" + $"\"{pool}\"" + "]}}");

        Assert.Equal(IPNetwork.Parse(pool), Assert.Single(config.Ipam.Pools));
    }

    [Fact]
    public void A_small_mtu_is_fine_for_an_IPv4_only_network()
    {
        var config = Parse("""{"cniVersion":"1.1.0","name":"pods","type":"cniv6","mtu":576,"ipam":{"pools":["10.0.0.0/24"]}}""");

        Assert.Equal(576, config.Mtu);
    }

    [Theory]
    [InlineData(null, NatBackendPreference.Auto)]
    [InlineData("\"auto\"", NatBackendPreference.Auto)]
    [InlineData("\"nftables\"", NatBackendPreference.Nftables)]
    [InlineData("\"iptables\"", NatBackendPreference.Iptables)]
    public void NatBackend_is_read_with_auto_as_the_default(string? value, NatBackendPreference expected)
    {
        var field = value is null ? "" : $",\"natBackend\":{value}";
        var config = Parse("""{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":{"pools":["fd00::/64"]}""" + field + "}");

        Assert.Equal(expected, config.NatBackend);
    }

    [Theory]
    [InlineData("\"nft\"")]
    [InlineData("\"IPTABLES\"")]
    [InlineData("1")]
    public void An_unknown_natBackend_is_refused_with_code_7_naming_the_field(string value)
    {
        var e = Assert.Throws<ConfigException>(() => Parse("""{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":{"pools":["fd00::/64"]},"natBackend":""" + value + "}"));

        Assert.Equal(7, e.Code);
        Assert.Contains("natBackend", e.Message, StringComparison.Ordinal);
    }

    private static NetworkConfig Parse(string json, string command = "ADD") =>
        NetworkConfigParser.Parse(Encoding.UTF8.GetBytes(json), command);
}
