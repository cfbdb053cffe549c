using System.Runtime.Versioning;
using System.Text;
using CniV6.Plugin.Cli;

namespace CniV6.UnitTests.Cli;

[SupportedOSPlatform("linux")]
public sealed class CniConfFileTests
{
    [Fact]
    public void A_list_with_cniv6_yields_its_plugin_config_with_the_list_s_name_and_version()
    {
        var file = Parse("""
            {"cniVersion":"1.0.0","cniVersions":["1.0.0","1.1.0"],"name":"podnet","plugins":[
              {"type":"cniv6","mtu":1400,"ipam":{"type":"cniv6","pools":["fd00:10::/64","10.244.0.0/24"],"dataDir":"/var/lib/x"}},
              {"type":"portmap","capabilities":{"portMappings":true}}]}
            """);

        Assert.True(file.IsOurs);
        Assert.Null(file.Problem);
        Assert.Equal("podnet", file.Config!.Name);
        Assert.Equal(1400, file.Config.Mtu);
        Assert.Equal("/var/lib/x", file.Config.Ipam.DataDir);
        Assert.Equal(["cniv6", "portmap"], file.PluginTypes);
        Assert.Equal(["1.0.0", "1.0.0", "1.1.0"], file.CniVersions);
    }

    [Fact]
    public void A_delegated_ipam_type_counts_as_a_plugin_the_bin_dir_needs()
    {
        var file = Parse("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"cniv6","ipam":{"type":"host-local","subnet":"fd00::/64"}}]}""");

        Assert.Equal(["cniv6", "host-local"], file.PluginTypes);
    }

    [Theory]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"bridge"}]}""", false, null)]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","type":"cniv6","ipam":{"pools":["fd00::/64"]}}""", true, null)]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"cniv6","ipam":{"pools":["nope"]}}]}""", true, "ipam.pools")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[{"ipam":{}}]}""", false, "a plugin has no 'type'")]
    [InlineData("""{"name":""", false, "not valid JSON")]
    public void Ours_or_not_and_why_not_valid(string json, bool ours, string? problem)
    {
        var file = Parse(json);

        Assert.Equal(ours, file.IsOurs);
        if (problem is null)
        {
            Assert.Null(file.Problem);
        }
        else
        {
            Assert.Contains(problem, file.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Files_are_listed_in_the_runtime_s_order_with_only_its_extensions()
    {
        var dir = Directory.CreateTempSubdirectory("cv6o-conf-").FullName;
        try
        {
            foreach (var name in (string[])["20-b.conflist", "10-a.conf", "99-c.json", "05-old.conflist.disabled", "01-readme.txt"])
            {
                File.WriteAllText(Path.Combine(dir, name), "{}");
            }

            Assert.Equal(["10-a.conf", "20-b.conflist", "99-c.json"], CniConfFile.List(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static CniConfFile Parse(string json) => CniConfFile.Parse("/etc/cni/net.d/10-test.conflist", Encoding.UTF8.GetBytes(json));
}
