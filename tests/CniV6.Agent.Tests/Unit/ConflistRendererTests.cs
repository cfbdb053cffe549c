using System.Net;
using System.Text;
using System.Text.Json;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Tests.Infrastructure;
using CniV6.Core.Config;

namespace CniV6.Agent.Tests.Unit;

public class ConflistRendererTests
{
    private static readonly AgentOptions Options = new() { NodeName = "n1", IpamDataDir = "/var/lib/cni/cniv6" };

    [Fact]
    public void Renders_this_nodes_pools_and_every_nodes_cidrs_as_masquerade_exclusions()
    {
        var state = TestStates.Cluster(1, 1, 2, 3);

        using var document = JsonDocument.Parse(ConflistRenderer.Render(Options, state, 1450, portmap: true));
        var root = document.RootElement;
        var cniv6 = root.GetProperty("plugins")[0];

        Assert.Equal("1.0.0", root.GetProperty("cniVersion").GetString());
        Assert.Equal(["1.0.0", "1.1.0"], root.GetProperty("cniVersions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("cniv6", root.GetProperty("name").GetString());
        Assert.Equal("cniv6", cniv6.GetProperty("type").GetString());
        Assert.Equal(1450, cniv6.GetProperty("mtu").GetInt32());
        Assert.True(cniv6.GetProperty("ipMasq").GetBoolean());
        Assert.Equal(
            ["fd00:10:244:1::/64", "fd00:10:244:2::/64", "fd00:10:244:3::/64", "10.244.1.0/24", "10.244.2.0/24", "10.244.3.0/24"],
            cniv6.GetProperty("masqueradeExclude").EnumerateArray().Select(e => e.GetString()));
        var ipam = cniv6.GetProperty("ipam");
        Assert.Equal("cniv6", ipam.GetProperty("type").GetString());
        Assert.Equal(["fd00:10:244:1::/64", "10.244.1.0/24"], ipam.GetProperty("pools").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("/var/lib/cni/cniv6", ipam.GetProperty("dataDir").GetString());
        var portmap = root.GetProperty("plugins")[1];
        Assert.Equal("portmap", portmap.GetProperty("type").GetString());
        Assert.True(portmap.GetProperty("capabilities").GetProperty("portMappings").GetBoolean());
    }

    [Fact]
    public void Leaves_out_portmap_and_masquerade_when_told()
    {
        var options = Options with { Portmap = false, IpMasq = false };

        using var document = JsonDocument.Parse(ConflistRenderer.Render(options, TestStates.Cluster(1, 1), 1500, portmap: false));
        var plugin = Assert.Single(document.RootElement.GetProperty("plugins").EnumerateArray());

        Assert.False(plugin.GetProperty("ipMasq").GetBoolean());
    }

    [Fact]
    public void Adds_configured_cluster_cidrs_to_the_exclusions()
    {
        var state = Cluster.ClusterState.Create("n1", TestStates.Node(1).PodCidrs, [TestStates.Node(1)], [IPNetwork.Parse("fd00:10:96::/112")]);

        using var document = JsonDocument.Parse(ConflistRenderer.Render(Options, state, 1500, portmap: true));

        Assert.Contains("fd00:10:96::/112", document.RootElement.GetProperty("plugins")[0].GetProperty("masqueradeExclude").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Same_state_renders_the_same_bytes()
    {
        Assert.Equal(ConflistRenderer.Render(Options, TestStates.Cluster(1, 3, 1, 2), 1500, portmap: true), ConflistRenderer.Render(Options, TestStates.Cluster(1, 1, 2, 3), 1500, portmap: true));
    }

    [Theory]
    [InlineData(LibcniGeneration.Before12, "1.0.0")]
    [InlineData(LibcniGeneration.From12, "1.1.0")]
    public void The_plugin_parses_the_rendered_conflist_into_what_the_agent_meant(LibcniGeneration runtime, string chosenVersion)
    {
        var options = Options with { NetworkName = "k8s-pods", IpMasq = false, IpamDataDir = "/var/lib/cv6c" };
        var state = TestStates.Cluster(2, 1, 2, 3);

        var config = ParseAsThePluginDoes(ConflistRenderer.Render(options, state, 1450, portmap: true), runtime, CniCommand.Add);

        Assert.Equal("k8s-pods", config.Name);
        Assert.Equal(chosenVersion, config.CniVersion);
        Assert.Equal(NetworkConfig.PluginType, config.Type);
        Assert.Equal(1450, config.Mtu);
        Assert.False(config.IpMasq);
        Assert.Equal(state.ClusterPodCidrs, config.MasqueradeExclude);
        Assert.True(config.Ipam.IsBuiltIn);
        Assert.Equal(state.LocalPools, config.Ipam.Pools);
        Assert.Equal("/var/lib/cv6c", config.Ipam.DataDir);
        Assert.Equal(NetworkConfig.DefaultLogFile, config.LogFile);
        Assert.False(config.DisableGc);
    }

    [Theory]
    [InlineData(CniCommand.Gc)]
    [InlineData(CniCommand.Status)]
    public void Only_a_runtime_that_reads_cniVersions_gets_GC_and_STATUS_accepted(string command)
    {
        var conflist = ConflistRenderer.Render(Options, TestStates.Cluster(1, 1, 2), 1500, portmap: true);

        Assert.Equal("1.1.0", ParseAsThePluginDoes(conflist, LibcniGeneration.From12, command).CniVersion);
        var refused = Assert.Throws<ConfigException>(() => ParseAsThePluginDoes(conflist, LibcniGeneration.Before12, command));
        Assert.Equal(ConfigErrorCode.IncompatibleVersion, refused.Code);
    }

    [Fact]
    public void Every_declared_version_is_one_the_plugin_speaks()
    {
        using var document = JsonDocument.Parse(ConflistRenderer.Render(Options, TestStates.Cluster(1, 1), 1500, portmap: true));
        var root = document.RootElement;

        Assert.True(CniVersion.IsSupported(root.GetProperty("cniVersion").GetString()));
        Assert.All(root.GetProperty("cniVersions").EnumerateArray(), v => Assert.True(CniVersion.IsSupported(v.GetString()), v.GetString()));
    }

    private static NetworkConfig ParseAsThePluginDoes(byte[] conflist, LibcniGeneration runtime, string command)
    {
        var stdin = LibcniConflist.PluginStdin(conflist, runtime);
        return NetworkConfigParser.Parse(Encoding.UTF8.GetBytes(stdin.ToJsonString()), command);
    }
}
