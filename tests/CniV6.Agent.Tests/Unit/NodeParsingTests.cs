using System.Net;
using CniV6.Agent.Kubernetes;
using CniV6.Agent.Tests.Infrastructure;
using k8s;

namespace CniV6.Agent.Tests.Unit;

public class NodeParsingTests
{
    private static readonly FakeNode Kind = new("kind-worker", ["fc00:f853:ccd:e793::3", "172.18.0.3"], ["fd00:10:244:1::/64", "10.244.1.0/24"]);

    [Fact]
    public void Reads_internal_ips_and_pod_cidrs_from_an_apiserver_node()
    {
        var line = $"{{\"type\":\"ADDED\",\"object\":{NodeJson.ToJson(Kind, 4711)}}}";

        var change = NodeWatchEventParser.Parse(line);
        var node = NodeConversion.ToClusterNode(change.Node!);

        Assert.Equal(NodeWatchEvent.Added, change.Type);
        Assert.Equal("4711", change.Node!.Metadata.ResourceVersion);
        Assert.Equal("kind-worker", node.Name);
        Assert.Equal([IPAddress.Parse("fc00:f853:ccd:e793::3"), IPAddress.Parse("172.18.0.3")], node.InternalAddresses);
        Assert.Equal([IPNetwork.Parse("fd00:10:244:1::/64"), IPNetwork.Parse("10.244.1.0/24")], node.PodCidrs);
    }

    [Fact]
    public void Orders_ipv6_first_and_ignores_hostnames_and_garbage()
    {
        var node = new FakeNode("n", ["10.0.0.1", "not-an-ip", "fd00::1"], ["10.244.0.0/24", "bogus", "fd00:10:244::/64"]);

        var converted = NodeConversion.ToClusterNode(NodeWatchEventParser.Parse($"{{\"type\":\"MODIFIED\",\"object\":{NodeJson.ToJson(node, 1)}}}").Node!);

        Assert.Equal([IPAddress.Parse("fd00::1"), IPAddress.Parse("10.0.0.1")], converted.InternalAddresses);
        Assert.Equal([IPNetwork.Parse("10.244.0.0/24"), IPNetwork.Parse("fd00:10:244::/64")], converted.PodCidrs);
    }

    [Fact]
    public void Falls_back_to_the_single_pod_cidr_field()
    {
        var json = """{"metadata":{"name":"old","resourceVersion":"9"},"spec":{"podCIDR":"fd00:10:244:9::/64"},"status":{}}""";

        var node = NodeConversion.ToClusterNode(System.Text.Json.JsonSerializer.Deserialize(json, SourceGenerationContext.Default.V1Node)!);

        Assert.Equal([IPNetwork.Parse("fd00:10:244:9::/64")], node.PodCidrs);
        Assert.Empty(node.InternalAddresses);
    }

    [Fact]
    public void Recognises_410_expired_as_gone()
    {
        var change = NodeWatchEventParser.Parse("""{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}""");

        Assert.True(change.IsGone);
        Assert.Equal("Expired", change.Status!.Reason);
    }

    [Fact]
    public void Rejects_a_line_without_type()
    {
        Assert.Throws<KubernetesDataException>(() => NodeWatchEventParser.Parse("""{"object":{}}"""));
    }
}
