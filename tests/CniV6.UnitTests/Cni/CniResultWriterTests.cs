using System.Net;
using System.Runtime.Versioning;
using System.Text;
using CniV6.Plugin.Cni;

namespace CniV6.UnitTests.Cni;

[SupportedOSPlatform("linux")]
public sealed class CniResultWriterTests
{
    /// <summary>Every field set, so each version shows exactly what it drops.</summary>
    private static readonly CniResult DualStack = new(
        "1.1.0",
        [
            new CniInterface("cv6a1b2c3d4e5f", "ee:ee:ee:ee:ee:ee", Mtu: 1450),
            new CniInterface("eth0", "02:11:22:33:44:55", "/var/run/netns/pod1", 1450, "/run/sock", "0000:00:1f.0"),
        ],
        [
            new CniIpConfig(IPAddress.Parse("fd00:10:244::5"), 128, IPAddress.Parse("fe80::ecee:eeff:feee:eeee"), 1),
            new CniIpConfig(IPAddress.Parse("10.244.0.5"), 32, IPAddress.Parse("169.254.1.1"), 1),
        ],
        [
            new CniRoute(IPNetwork.Parse("::/0"), IPAddress.Parse("fe80::ecee:eeff:feee:eeee"), Mtu: 1400, AdvMss: 1340, Priority: 10, Table: 0, Scope: 0),
            new CniRoute(IPNetwork.Parse("0.0.0.0/0"), IPAddress.Parse("169.254.1.1")),
        ],
        new CniDns(["fd00:10:96::a"], "cluster.local", ["default.svc.cluster.local"], ["ndots:5"]));

    private const string Dns = "\"dns\":{\"nameservers\":[\"fd00:10:96::a\"],\"domain\":\"cluster.local\",\"search\":[\"default.svc.cluster.local\"],\"options\":[\"ndots:5\"]}";

    [Fact]
    public void Version_1_1_0_writes_every_field()
    {
        Assert.Equal(
            "{\"cniVersion\":\"1.1.0\"," +
            "\"interfaces\":[{\"name\":\"cv6a1b2c3d4e5f\",\"mac\":\"ee:ee:ee:ee:ee:ee\",\"mtu\":1450}," +
            "{\"name\":\"eth0\",\"mac\":\"02:11:22:33:44:55\",\"mtu\":1450,\"sandbox\":\"/var/run/netns/pod1\",\"socketPath\":\"/run/sock\",\"pciID\":\"0000:00:1f.0\"}]," +
            "\"ips\":[{\"interface\":1,\"address\":\"fd00:10:244::5/128\",\"gateway\":\"fe80::ecee:eeff:feee:eeee\"}," +
            "{\"interface\":1,\"address\":\"10.244.0.5/32\",\"gateway\":\"169.254.1.1\"}]," +
            "\"routes\":[{\"dst\":\"::/0\",\"gw\":\"fe80::ecee:eeff:feee:eeee\",\"mtu\":1400,\"advmss\":1340,\"priority\":10,\"table\":0,\"scope\":0}," +
            "{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\"}]," +
            Dns + "}",
            Write(DualStack, "1.1.0"));
    }

    [Fact]
    public void Version_1_0_0_leaves_out_the_1_1_0_interface_and_route_fields()
    {
        Assert.Equal(
            "{\"cniVersion\":\"1.0.0\"," +
            "\"interfaces\":[{\"name\":\"cv6a1b2c3d4e5f\",\"mac\":\"ee:ee:ee:ee:ee:ee\"}," +
            "{\"name\":\"eth0\",\"mac\":\"02:11:22:33:44:55\",\"sandbox\":\"/var/run/netns/pod1\"}]," +
            "\"ips\":[{\"interface\":1,\"address\":\"fd00:10:244::5/128\",\"gateway\":\"fe80::ecee:eeff:feee:eeee\"}," +
            "{\"interface\":1,\"address\":\"10.244.0.5/32\",\"gateway\":\"169.254.1.1\"}]," +
            "\"routes\":[{\"dst\":\"::/0\",\"gw\":\"fe80::ecee:eeff:feee:eeee\"},{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\"}]," +
            Dns + "}",
            Write(DualStack, "1.0.0"));
    }

    [Theory]
    [InlineData("0.4.0")]
    [InlineData("0.3.1")]
    [InlineData("0.3.0")]
    public void Versions_before_1_0_0_put_the_ip_version_into_every_ip(string version)
    {
        Assert.Equal(
            $"{{\"cniVersion\":\"{version}\"," +
            "\"interfaces\":[{\"name\":\"cv6a1b2c3d4e5f\",\"mac\":\"ee:ee:ee:ee:ee:ee\"}," +
            "{\"name\":\"eth0\",\"mac\":\"02:11:22:33:44:55\",\"sandbox\":\"/var/run/netns/pod1\"}]," +
            "\"ips\":[{\"version\":\"6\",\"interface\":1,\"address\":\"fd00:10:244::5/128\",\"gateway\":\"fe80::ecee:eeff:feee:eeee\"}," +
            "{\"version\":\"4\",\"interface\":1,\"address\":\"10.244.0.5/32\",\"gateway\":\"169.254.1.1\"}]," +
            "\"routes\":[{\"dst\":\"::/0\",\"gw\":\"fe80::ecee:eeff:feee:eeee\"},{\"dst\":\"0.0.0.0/0\",\"gw\":\"169.254.1.1\"}]," +
            Dns + "}",
            Write(DualStack, version));
    }

    [Fact]
    public void An_ipam_style_result_leaves_out_empty_lists_dns_and_the_interface_index()
    {
        var result = new CniResult(null, [], [new CniIpConfig(IPAddress.Parse("10.1.2.5"), 24, IPAddress.Parse("10.1.2.1"))], [], CniDns.Empty);

        Assert.Equal(
            """{"cniVersion":"1.0.0","ips":[{"address":"10.1.2.5/24","gateway":"10.1.2.1"}]}""",
            Write(result, "1.0.0"));
    }

    [Fact]
    public void An_unsupported_version_is_refused()
    {
        Assert.Throws<ArgumentException>(() => DualStack.ToJson("0.2.0"));
    }

    [Theory]
    [InlineData("0.3.0")]
    [InlineData("0.4.0")]
    [InlineData("1.0.0")]
    [InlineData("1.1.0")]
    public void Writing_then_parsing_keeps_everything_the_version_carries(string version)
    {
        var parsed = CniResult.Parse(DualStack.ToJson(version));

        Assert.Equal(version, parsed.CniVersion);
        Assert.Equal(Write(DualStack, version), Write(parsed, version));
    }

    private static string Write(CniResult result, string version) => Encoding.UTF8.GetString(result.ToJson(version));
}
