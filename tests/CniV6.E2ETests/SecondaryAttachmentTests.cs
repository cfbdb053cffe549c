using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>
/// Two attachments in one pod (Multus: eth0 from the default network, net1 from a second one): a secondary attachment
/// never takes over the default routes another attachment installed, and DEL of one leaves the other intact (README
/// "Secondary attachments", docs/DESIGN.md "Pod wiring").
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SecondaryAttachmentTests
{
    private const string SecondaryIPv6 = "fd00:10:245:1::/64";
    private const string SecondaryIPv4 = "10.245.1.0/24";

    [Fact]
    public void A_second_attachment_gets_routes_to_its_pools_only_and_its_DEL_leaves_eth0_intact()
    {
        using var node = new E2ENode();
        PodSandbox pod = node.CreatePod();
        JsonObject primary = Config(node, "cv6e-primary", Pools.IPv6, Pools.IPv4);
        JsonObject secondary = Config(node, "cv6e-secondary", SecondaryIPv6, SecondaryIPv4);

        string eth0Result = Invoke(node, "ADD", pod, "eth0", primary);
        var eth0Defaults = DefaultRoutes(pod);
        string net1Result = Invoke(node, "ADD", pod, "net1", secondary);

        // eth0 keeps the pod's default routes; net1 reaches its own pools through its own gateway.
        Assert.Equal(eth0Defaults, DefaultRoutes(pod));
        Assert.All(DefaultRoutes(pod), route => Assert.Equal("eth0", route.Device));
        Assert.Contains(SecondaryIPv6, pod.Namespace.Ip("-6", "route", "show", "dev", "net1"), StringComparison.Ordinal);
        Assert.Contains(SecondaryIPv4, pod.Namespace.Ip("-4", "route", "show", "dev", "net1"), StringComparison.Ordinal);
        Assert.Equal([SecondaryIPv4, SecondaryIPv6], RouteDestinations(net1Result));
        Assert.Equal(["0.0.0.0/0", "::/0"], RouteDestinations(eth0Result));

        // CHECK of both attachments passes with net1 in place.
        Invoke(node, "CHECK", pod, "eth0", WithPrevResult(primary, eth0Result));
        Invoke(node, "CHECK", pod, "net1", WithPrevResult(secondary, net1Result));

        // Both reach the node through their own gateway: the IPv4 gateway's /32 of eth0 was not replaced.
        Assert.Contains("dev eth0", pod.Namespace.Ip("-4", "route", "get", "169.254.1.1"), StringComparison.Ordinal);

        Invoke(node, "DEL", pod, "net1", WithPrevResult(secondary, net1Result));

        Assert.Equal(eth0Defaults, DefaultRoutes(pod));
        Invoke(node, "CHECK", pod, "eth0", WithPrevResult(primary, eth0Result));
    }

    internal static JsonObject Config(E2ENode node, string name, params string[] pools)
    {
        JsonObject plugin = ConfLists.CniV6(node, pools);
        var config = new JsonObject { ["cniVersion"] = "1.0.0", ["name"] = name };
        foreach ((string key, JsonNode? value) in plugin.ToList())
        {
            plugin.Remove(key);
            config[key] = value;
        }

        return config;
    }

    internal static Dictionary<string, string> Environment(string command, PodSandbox pod, string ifName)
    {
        Dictionary<string, string> environment = CniEnvironment.ForAttachment(command, pod);
        environment["CNI_IFNAME"] = ifName;
        return environment;
    }

    internal static string Invoke(E2ENode node, string command, PodSandbox pod, string ifName, JsonObject config)
    {
        ProcessResult result = node.InvokePlugin(Environment(command, pod, ifName), config.ToJsonString());
        Assert.True(result.Succeeded, $"{command} {ifName}: {result.Describe()}\n{node.PluginLogTail()}");
        return result.StandardOutput;
    }

    private static JsonObject WithPrevResult(JsonObject config, string result)
    {
        var copy = (JsonObject)config.DeepClone();
        copy["prevResult"] = JsonNode.Parse(result);
        return copy;
    }

    private static List<(string? Gateway, string? Device)> DefaultRoutes(PodSandbox pod) =>
        [.. pod.DefaultRoutes(AddressFamily.InterNetworkV6), .. pod.DefaultRoutes(AddressFamily.InterNetwork)];

    private static string[] RouteDestinations(string result)
    {
        using JsonDocument document = JsonDocument.Parse(result);
        return [.. document.RootElement.GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("dst").GetString()!).Order(StringComparer.Ordinal)];
    }
}
