using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>
/// CNI 1.1.0 (which the Debian libcni cannot drive): the plugin executed directly as the spec describes —
/// CNI_* environment, the network configuration on stdin, the result or error on stdout.
/// </summary>
public sealed class Cni11DirectInvocationTests
{
    private const string Version = "1.1.0";

    [Fact]
    public void Version_reports_1_1_0_among_the_supported_versions()
    {
        using var node = new E2ENode();

        ProcessResult version = node.InvokePlugin(CniEnvironment.ForCommand("VERSION"), $$"""{"cniVersion":"{{Version}}"}""");

        Assert.True(version.Succeeded, version.Describe());
        using JsonDocument doc = JsonDocument.Parse(version.StandardOutput);
        string?[] supported = doc.RootElement.GetProperty("supportedVersions").EnumerateArray().Select(v => v.GetString()).ToArray();
        Assert.Contains(Version, supported);
        Assert.Contains("1.0.0", supported);
        Assert.Contains("0.4.0", supported);
    }

    [Fact]
    public void Add_check_del_at_1_1_0_with_env_and_stdin()
    {
        using var node = new E2ENode();
        JsonObject config = PluginConfig(node, Pools.IPv6, Pools.IPv4);
        PodSandbox pod = node.CreatePod();

        ProcessResult add = node.InvokePlugin(CniEnvironment.ForAttachment("ADD", pod), config.ToJsonString());

        Assert.True(add.Succeeded, add.Describe() + "\n" + node.PluginLogTail());
        JsonNode result = JsonNode.Parse(add.StandardOutput)!;
        Assert.Equal(Version, result["cniVersion"]!.GetValue<string>());
        Assert.Equal(2, pod.GlobalAddresses().Count);

        JsonObject withPrev = PluginConfig(node, Pools.IPv6, Pools.IPv4);
        withPrev["prevResult"] = result;
        ProcessResult check = node.InvokePlugin(CniEnvironment.ForAttachment("CHECK", pod), withPrev.ToJsonString());
        Assert.True(check.Succeeded, check.Describe() + "\n" + node.PluginLogTail());

        ProcessResult del = node.InvokePlugin(CniEnvironment.ForAttachment("DEL", pod), withPrev.ToJsonString());
        Assert.True(del.Succeeded, del.Describe() + "\n" + node.PluginLogTail());
        ProcessResult delAgain = node.InvokePlugin(CniEnvironment.ForAttachment("DEL", pod), withPrev.ToJsonString());
        Assert.True(delAgain.Succeeded, delAgain.Describe() + "\n" + node.PluginLogTail());
        Assert.False(pod.InterfaceHasCarrier(), "the pod's interface still has carrier after DEL");
        Assert.Equal("", node.Namespace.Ip("-6", "route", "show", "proto", "198").Trim());
    }

    [Fact]
    public void Status_exits_zero_when_the_plugin_is_ready()
    {
        using var node = new E2ENode();
        JsonObject config = PluginConfig(node, Pools.IPv6, Pools.IPv4);

        ProcessResult status = node.InvokePlugin(CniEnvironment.ForCommand("STATUS"), config.ToJsonString());

        Assert.True(status.Succeeded, status.Describe() + "\n" + node.PluginLogTail());
    }

    [Fact]
    public void Gc_releases_allocations_missing_from_valid_attachments_and_keeps_the_valid_ones()
    {
        using var node = new E2ENode();
        // Two usable IPv4 addresses (.1, .2): a leaked allocation makes the next ADD fail.
        const string smallPool = "10.244.9.0/30";
        JsonObject config = PluginConfig(node, Pools.IPv6, smallPool);
        PodSandbox kept = node.CreatePod();
        PodSandbox leaked = node.CreatePod();
        PodSandbox blocked = node.CreatePod();
        AssertSucceeded(node, node.InvokePlugin(CniEnvironment.ForAttachment("ADD", kept), config.ToJsonString()));
        AssertSucceeded(node, node.InvokePlugin(CniEnvironment.ForAttachment("ADD", leaked), config.ToJsonString()));
        // The runtime loses the sandbox without a DEL (crash, reboot): its addresses leak.
        leaked.Namespace.Delete();
        ProcessResult whileLeaked = node.InvokePlugin(CniEnvironment.ForAttachment("ADD", blocked), config.ToJsonString());
        Assert.False(whileLeaked.Succeeded, "the pool should be exhausted by the leaked allocation\n" + whileLeaked.Describe());
        AssertSucceeded(node, node.InvokePlugin(CniEnvironment.ForAttachment("DEL", blocked), config.ToJsonString()));

        JsonObject gc = PluginConfig(node, Pools.IPv6, smallPool);
        gc["cni.dev/valid-attachments"] = new JsonArray(new JsonObject { ["containerID"] = kept.ContainerId, ["ifname"] = kept.IfName });
        AssertSucceeded(node, node.InvokePlugin(CniEnvironment.ForCommand("GC"), gc.ToJsonString()));

        PodSandbox next = node.CreatePod();
        AssertSucceeded(node, node.InvokePlugin(CniEnvironment.ForAttachment("ADD", next), config.ToJsonString()));
        Assert.True(IPNetwork.Parse(smallPool).Contains(next.Address(AddressFamily.InterNetwork)));
        // The valid attachment kept its address and still works.
        Assert.NotEqual(kept.Address(AddressFamily.InterNetwork), next.Address(AddressFamily.InterNetwork));
        ProcessResult ping = next.PingOnce(kept.Address(AddressFamily.InterNetworkV6));
        Assert.True(ping.Succeeded, ping.Describe());
    }

    [Fact]
    public void Gc_is_rejected_for_a_config_below_1_1_0()
    {
        using var node = new E2ENode();
        JsonObject gc = PluginConfig(node, Pools.IPv6, Pools.IPv4);
        gc["cniVersion"] = "1.0.0";
        gc["cni.dev/valid-attachments"] = new JsonArray();

        ProcessResult result = node.InvokePlugin(CniEnvironment.ForCommand("GC"), gc.ToJsonString());

        Assert.False(result.Succeeded, result.Describe());
        using JsonDocument error = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(1, error.RootElement.GetProperty("code").GetInt32());
    }

    /// <summary>A single-plugin network configuration (what a runtime derives from a conflist entry).</summary>
    private static JsonObject PluginConfig(E2ENode node, params string[] pools)
    {
        JsonObject plugin = ConfLists.CniV6(node, pools);
        var config = new JsonObject { ["cniVersion"] = Version, ["name"] = "cv6e-cni11" };
        foreach ((string key, JsonNode? value) in plugin.ToList())
        {
            plugin.Remove(key);
            config[key] = value;
        }

        return config;
    }

    private static void AssertSucceeded(E2ENode node, ProcessResult result) =>
        Assert.True(result.Succeeded, result.Describe() + "\n--- plugin log ---\n" + node.PluginLogTail());
}
