using System.Net;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using CniV6.Plugin.Cni;

namespace CniV6.UnitTests.Cni;

[SupportedOSPlatform("linux")]
public sealed class CniResultParserTests
{
    [Fact]
    public void A_host_local_0_4_0_result_keeps_host_bits_of_the_address()
    {
        var result = Parse("""{"cniVersion":"0.4.0","ips":[{"version":"4","address":"10.1.2.5/24","gateway":"10.1.2.1"}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{}}""");

        var ip = Assert.Single(result.Ips);
        Assert.Equal(IPAddress.Parse("10.1.2.5"), ip.Address);
        Assert.Equal(24, ip.PrefixLength);
        Assert.Equal(IPNetwork.Parse("10.1.2.0/24"), ip.Network);
        Assert.Equal(IPAddress.Parse("10.1.2.1"), ip.Gateway);
        Assert.Null(ip.Interface);
        Assert.Equal(IPNetwork.Parse("0.0.0.0/0"), Assert.Single(result.Routes).Destination);
        Assert.True(result.Dns!.IsEmpty);
    }

    [Fact]
    public void A_1_1_0_result_reads_the_new_route_and_interface_fields()
    {
        var result = Parse("""
            {"cniVersion":"1.1.0","interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01","mtu":9000,"sandbox":"/run/netns/x","socketPath":"/s","pciID":"p"}],
             "ips":[{"interface":0,"address":"fd00::7/64"}],
             "routes":[{"dst":"fd01::1/64","gw":"fd00::1","mtu":1400,"advmss":1300,"priority":5,"table":100,"scope":253}],
             "dns":{"nameservers":["fd00::53"],"search":["a.b"]},"unknown":{"ignored":true}}
            """);

        Assert.Equal(new CniInterface("eth0", "02:00:00:00:00:01", "/run/netns/x", 9000, "/s", "p"), Assert.Single(result.Interfaces));
        Assert.Equal(0, Assert.Single(result.Ips).Interface);
        Assert.Equal(
            new CniRoute(IPNetwork.Parse("fd01::/64"), IPAddress.Parse("fd00::1"), 1400, 1300, 5, 100, 253),
            Assert.Single(result.Routes));
        Assert.Equal(["fd00::53"], result.Dns!.Nameservers);
        Assert.Equal(["a.b"], result.Dns.Search);
    }

    [Theory]
    [InlineData("""{"ips":[{"address":"10.1.2.5"}]}""", "'ips[0].address'")]
    [InlineData("""{"ips":[{"address":"10.1.2.5/24","gateway":"fd00::1"}]}""", "'ips[0].gateway'")]
    [InlineData("""{"ips":[{"gateway":"10.0.0.1"}]}""", "'ips[0].address'")]
    [InlineData("""{"ips":[{"address":"10.1.2.5/24","interface":-1}]}""", "'ips[0].interface'")]
    [InlineData("""{"ips":{}}""", "'ips'")]
    [InlineData("""{"routes":[{"gw":"10.0.0.1"}]}""", "'routes[0].dst'")]
    [InlineData("""{"routes":[{"dst":"0.0.0.0/0","gw":"gateway"}]}""", "'routes[0].gw'")]
    [InlineData("""{"interfaces":[{"mac":"x"}]}""", "'interfaces[0].name'")]
    [InlineData("""{"dns":{"nameservers":"fd00::53"}}""", "'dns.nameservers'")]
    [InlineData("[]", "(root)")]
    [InlineData("{", "invalid result")]
    public void An_invalid_result_is_a_decoding_error_naming_the_field(string json, string names)
    {
        var error = Assert.Throws<CniException>(() => Parse(json));

        Assert.Equal(CniErrorCode.DecodingFailure, error.Code);
        Assert.Contains(names, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_prevResult_error_names_the_field_below_prevResult()
    {
        using var document = JsonDocument.Parse("""{"ips":[{"address":"nope"}]}""");

        var error = Assert.Throws<CniException>(() => CniResult.Parse(document.RootElement));

        Assert.Contains("'prevResult.ips[0].address'", error.Message, StringComparison.Ordinal);
    }

    private static CniResult Parse(string json) => CniResult.Parse(Encoding.UTF8.GetBytes(json));
}
