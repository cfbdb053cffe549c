using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using CniV6.E2ETests.Infrastructure;
using CniV6.Plugin;

namespace CniV6.E2ETests.Reliability;

/// <summary>
/// The plugin is SIGKILLed after every step of ADD (the test-only fault switch), as a node crash or an OOM kill
/// would. For every step: DEL leaves no trace, a retried ADD works, and GC with no valid attachments cleans up.
/// The steps come from the plugin itself; the plugin refuses to run armed at a step that list does not name.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CrashSafetyTests
{
    /// <summary>SIGKILL seen through `ip netns exec`, which execs the plugin in place.</summary>
    private const int KilledBySigkill = 128 + 9;

    public static TheoryData<string> AddSteps() => [.. FaultPoint.AddSteps];

    [Theory]
    [MemberData(nameof(AddSteps))]
    public void Killed_after_step_then_del_leaves_no_trace_and_add_again_works(string step)
    {
        using var node = new E2ENode();
        PodSandbox pod = node.CreatePod();
        string config = Config(node);

        ProcessResult crashed = AddKilledAfter(node, pod, config, step);
        Assert.Equal(KilledBySigkill, crashed.ExitCode);

        ProcessResult del = node.InvokePlugin(CniEnvironment.ForAttachment("DEL", pod), config);
        Assert.True(del.Succeeded, del.Describe() + "\n" + node.PluginLogTail());
        Assert.Empty(NodeTraces.Find(node, pod));

        ProcessResult add = node.InvokePlugin(CniEnvironment.ForAttachment("ADD", pod), config);
        Assert.True(add.Succeeded, add.Describe() + "\n" + node.PluginLogTail());
        Assert.True(pod.PingOnce(IPAddress.Parse("fe80::ecee:eeff:feee:eeee")).Succeeded, "IPv6 gateway unreachable after re-ADD");
        Assert.True(pod.PingOnce(IPAddress.Parse("169.254.1.1")).Succeeded, "IPv4 gateway unreachable after re-ADD");

        Assert.True(node.InvokePlugin(CniEnvironment.ForAttachment("DEL", pod), config).Succeeded);
        Assert.Empty(NodeTraces.Find(node, pod));
        NodeTraces.AssertNoVethOnceNamespacesAreGone(node, pod);
    }

    [Theory]
    [MemberData(nameof(AddSteps))]
    public void Killed_after_step_then_retried_add_repairs_and_returns_working_network(string step)
    {
        using var node = new E2ENode();
        PodSandbox pod = node.CreatePod();
        string config = Config(node);

        Assert.Equal(KilledBySigkill, AddKilledAfter(node, pod, config, step).ExitCode);

        ProcessResult retried = node.InvokePlugin(CniEnvironment.ForAttachment("ADD", pod), config);
        Assert.True(retried.Succeeded, retried.Describe() + "\n" + node.PluginLogTail());
        Assert.Equal(2, pod.GlobalAddresses().Count);
        Assert.Single(NodeTraces.Allocations(node));
        Assert.Single(node.LinkNames(), n => n.StartsWith("cv6", StringComparison.Ordinal));
        Assert.True(pod.PingOnce(IPAddress.Parse("169.254.1.1")).Succeeded);

        Assert.True(node.InvokePlugin(CniEnvironment.ForAttachment("DEL", pod), config).Succeeded);
        Assert.Empty(NodeTraces.Find(node, pod));
    }

    [Theory]
    [MemberData(nameof(AddSteps))]
    public void Killed_after_step_then_gc_with_no_valid_attachments_cleans_up(string step)
    {
        using var node = new E2ENode();
        PodSandbox pod = node.CreatePod();

        Assert.Equal(KilledBySigkill, AddKilledAfter(node, pod, Config(node), step).ExitCode);

        ProcessResult gc = node.InvokePlugin(CniEnvironment.ForCommand("GC"), Config(node, validAttachments: new JsonArray()));
        Assert.True(gc.Succeeded, gc.Describe() + "\n" + node.PluginLogTail());
        Assert.Empty(NodeTraces.Find(node, pod));
    }

    [Fact]
    public void Retried_add_returns_the_same_addresses_and_one_veth()
    {
        using var node = new E2ENode();
        PodSandbox pod = node.CreatePod();
        string config = Config(node);

        ProcessResult first = node.InvokePlugin(CniEnvironment.ForAttachment("ADD", pod), config);
        Assert.True(first.Succeeded, first.Describe() + "\n" + node.PluginLogTail());
        var before = pod.GlobalAddresses().Select(a => a.Address).OrderBy(a => a.ToString()).ToList();

        ProcessResult second = node.InvokePlugin(CniEnvironment.ForAttachment("ADD", pod), config);
        Assert.True(second.Succeeded, second.Describe() + "\n" + node.PluginLogTail());
        var after = pod.GlobalAddresses().Select(a => a.Address).OrderBy(a => a.ToString()).ToList();

        Assert.Equal(before, after);
        Assert.Equal(JsonNode.Parse(first.StandardOutput)!["ips"]!.ToJsonString(), JsonNode.Parse(second.StandardOutput)!["ips"]!.ToJsonString());
        Assert.Single(NodeTraces.Allocations(node));
        Assert.Single(node.LinkNames(), n => n.StartsWith("cv6", StringComparison.Ordinal));
        Assert.True(pod.PingOnce(pod.Address(AddressFamily.InterNetworkV6)).Succeeded);
    }

    [Fact]
    public void Gc_after_simulated_reboot_reclaims_every_allocation()
    {
        using var node = new E2ENode();
        string config = Config(node);
        var pods = Enumerable.Range(0, 3).Select(_ => node.CreatePod()).ToArray();
        foreach (PodSandbox pod in pods)
        {
            Assert.True(node.InvokePlugin(CniEnvironment.ForAttachment("ADD", pod), config).Succeeded, node.PluginLogTail());
        }

        // A reboot: every pod namespace (and with it every veth) is gone, the state directory is kept.
        foreach (PodSandbox pod in pods)
        {
            pod.Namespace.Delete();
        }

        Assert.Equal(3, NodeTraces.Allocations(node).Count);

        ProcessResult gc = node.InvokePlugin(CniEnvironment.ForCommand("GC"), Config(node, validAttachments: new JsonArray()));
        Assert.True(gc.Succeeded, gc.Describe() + "\n" + node.PluginLogTail());
        Assert.Empty(NodeTraces.Find(node, pods));
    }

    [Fact]
    public void Every_fault_point_in_the_plugin_kills_it_when_armed()
    {
        // The plugin FailFasts when armed and reaching a step missing from AddSteps, so an ADD armed with a name no
        // step has must run to completion: proof that every step the recipe reaches is in the list.
        using var node = new E2ENode();
        PodSandbox pod = node.CreatePod();
        ProcessResult add = AddKilledAfter(node, pod, Config(node), "no-such-step");
        Assert.True(add.Succeeded, add.Describe() + "\n" + node.PluginLogTail());
    }

    private static ProcessResult AddKilledAfter(E2ENode node, PodSandbox pod, string config, string step)
    {
        Dictionary<string, string> env = CniEnvironment.ForAttachment("ADD", pod);
        env[FaultPoint.Variable] = step;
        return node.InvokePlugin(env, config);
    }

    private static string Config(E2ENode node, JsonArray? validAttachments = null)
    {
        JsonObject plugin = ConfLists.CniV6(node, Pools.IPv6, Pools.IPv4);
        plugin["cniVersion"] = "1.1.0";
        plugin["name"] = NodeTraces.NetworkName;
        if (validAttachments is not null)
        {
            plugin["cni.dev/valid-attachments"] = validAttachments;
        }

        return plugin.ToJsonString();
    }
}
