using System.Net;
using CniV6.Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace CniV6.Agent.Tests.Unit;

/// <summary>Pod ranges in the agent's configuration follow the plugin's pool rule; the cluster CIDRs come from flag, env or file.</summary>
public sealed class PodRangeOptionsTests : IDisposable
{
    private readonly string _file = Path.Combine(Directory.CreateTempSubdirectory("cv6d-options-").FullName, "agent.json");

    public PodRangeOptionsTests() => File.WriteAllText(_file, "{}");

    private AgentOptions Read(string[] args, Dictionary<string, string> environment)
    {
        var builder = new ConfigurationBuilder();
        AgentConfiguration.Build(builder, ["--config", _file, .. args], environment);
        return AgentOptionsReader.Read(builder.Build());
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_file)!, recursive: true);

    [Theory]
    [InlineData("::/0")]
    [InlineData("fe80::/64")]
    [InlineData("fd00:10:244:1::1/128")]
    [InlineData("169.254.0.0/16")]
    public void A_static_pool_the_plugin_would_refuse_is_a_configuration_error(string pool)
    {
        var error = Assert.Throws<AgentConfigurationException>(() =>
            Read(["--node-name", "n1", "--source", "static"], new() { ["CNIV6_STATIC__POOLS"] = pool }));

        Assert.StartsWith("Static:Pools: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_cidrs_come_from_the_flag_or_the_environment_and_are_checked()
    {
        Assert.Equal([IPNetwork.Parse("fd00:10:244::/56")], Read(["--node-name", "n1", "--cluster-cidr", "fd00:10:244::/56"], []).ClusterPodCidrs);
        Assert.Equal(
            [IPNetwork.Parse("fd00:10:244::/56"), IPNetwork.Parse("10.244.0.0/16")],
            Read(["--node-name", "n1"], new() { ["CNIV6_CLUSTER__PODCIDRS"] = "fd00:10:244::/56,10.244.0.0/16" }).ClusterPodCidrs);
        Assert.Throws<AgentConfigurationException>(() => Read(["--node-name", "n1", "--cluster-cidr", "::/0"], []));
        Assert.Empty(Read(["--node-name", "n1"], []).ClusterPodCidrs);
    }
}
