using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CniV6.E2ETests.Infrastructure;
using CniErrorCode = CniV6.Plugin.Cni.CniErrorCode;

namespace CniV6.E2ETests.Hostile;

/// <summary>
/// Nodes that are not what the plugin would like: IPv6 switched off, no IPv6 nat table, rules in the legacy
/// iptables backend. Each either gets a precise error with the host unchanged, or works with what is there.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EnvironmentRobustnessTests
{
    /// <summary>What iptables prints when the kernel has no ip6table_nat (module not loaded).</summary>
    private const string MissingNatTableError =
        "ip6tables v1.8.9 (nf_tables): can't initialize ip6tables table `nat': Table does not exist (do you need to insmod?)";

    [Fact]
    public void Node_with_IPv6_disabled_rejects_an_IPv6_pool_unchanged_and_still_serves_IPv4()
    {
        using var node = new E2ENode();
        using var setup = new HostileSetup(node);
        node.Namespace.ExecChecked("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        node.Namespace.ExecChecked("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");

        HostSnapshot before = HostSnapshot.Take(node, setup.Pods, setup.DataDir, ignoreStoreCursors: false);
        ProcessResult dualStack = PluginInvocation.Run(node, CniEnvironment.ForAttachment("ADD", setup.Pod), setup.Config.ToJsonString());
        AssertCniError(dualStack, node, CniErrorCode.PluginFailure, "IPv6 is disabled on this node");
        Assert.Contains(Pools.IPv6, ErrorMessage(dualStack), StringComparison.Ordinal);
        Assert.Equal(before.Text, HostSnapshot.Take(node, setup.Pods, setup.DataDir, ignoreStoreCursors: false).Text);

        setup.SetPools(Pools.IPv4);
        setup.Attach(setup.Pod);
        Assert.Equal(AddressFamily.InterNetwork, Assert.Single(setup.Pod.GlobalAddresses()).Address.AddressFamily);
        Assert.True(setup.Pod.PingOnce(IPAddress.Parse("169.254.1.1")).Succeeded, "IPv4 gateway unreachable on an IPv6-less node");
        ProcessResult del = node.InvokePlugin(CniEnvironment.ForAttachment("DEL", setup.Pod), setup.Config.ToJsonString());
        Assert.True(del.Succeeded, del.Describe() + "\n" + node.PluginLogTail());
    }

    [Fact]
    public void Missing_ip6tables_nat_table_is_code_104_naming_the_module_and_leaves_the_host_unchanged()
    {
        using var node = new E2ENode();
        using var setup = new HostileSetup(node);

        // The bystander without masquerading: the store exists, but no "rules installed" marker hides the nat step.
        setup.Config["ipMasq"] = false;
        setup.Attach(setup.Bystander);
        setup.Config["ipMasq"] = true;

        Dictionary<string, string> environment = CniEnvironment.ForAttachment("ADD", setup.Pod);
        environment["PATH"] = FakeIp6tables(node.WorkDir) + ":" + Environment.GetEnvironmentVariable("PATH");

        HostSnapshot before = HostSnapshot.Take(node, setup.Pods, setup.DataDir, ignoreStoreCursors: true);
        ProcessResult add = PluginInvocation.Run(node, environment, setup.Config.ToJsonString());
        HostSnapshot after = HostSnapshot.Take(node, setup.Pods, setup.DataDir, ignoreStoreCursors: true);

        AssertCniError(add, node, CniErrorCode.NatUnavailable, "ip6table_nat");
        Assert.Equal(before.Text, after.Text);
    }

    [Fact]
    public void Legacy_rules_on_the_node_put_the_masquerade_chain_in_the_legacy_backend()
    {
        using var node = new E2ENode();
        using var setup = new HostileSetup(node);
        node.Namespace.ExecChecked("iptables-legacy", "-t", "filter", "-A", "INPUT", "-s", "192.0.2.1/32", "-j", "ACCEPT");
        node.Namespace.ExecChecked("ip6tables-legacy", "-t", "filter", "-A", "INPUT", "-s", "2001:db8::1/128", "-j", "ACCEPT");

        setup.Attach(setup.Pod);

        foreach (string save in new[] { "iptables-legacy-save", "ip6tables-legacy-save" })
        {
            string legacy = node.Namespace.ExecChecked(save, "-t", "nat");
            Assert.Contains(":CNIV6-MASQ-", legacy, StringComparison.Ordinal);
            Assert.Contains("cniv6 masquerade " + HostileSetup.NetworkName, legacy, StringComparison.Ordinal);
        }

        foreach (string save in new[] { "iptables-nft-save", "ip6tables-nft-save" })
        {
            Assert.DoesNotContain("CNIV6-MASQ", node.Namespace.ExecChecked(save), StringComparison.Ordinal);
        }
    }

    /// <summary>Every ip6tables program name the plugin might run, each failing as on a node without ip6table_nat.</summary>
    private static string FakeIp6tables(string workDir)
    {
        string bin = Directory.CreateDirectory(Path.Combine(workDir, "fake-ip6tables")).FullName;
        foreach (string variant in new[] { "", "-nft", "-legacy" })
        {
            foreach (string tool in new[] { "", "-save", "-restore" })
            {
                string path = Path.Combine(bin, $"ip6tables{variant}{tool}");
                File.WriteAllText(path, $"#!/bin/sh\necho \"{MissingNatTableError.Replace("`", "\\`", StringComparison.Ordinal)}\" >&2\n" +
                    "echo 'Perhaps ip6tables or your kernel needs to be upgraded.' >&2\nexit 3\n");
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        return bin;
    }

    private static string ErrorMessage(ProcessResult result)
    {
        using JsonDocument error = JsonDocument.Parse(result.StandardOutput);
        return error.RootElement.GetProperty("msg").GetString()!;
    }

    private static void AssertCniError(ProcessResult result, E2ENode node, int code, string messagePart)
    {
        string context = result.Describe() + "\n--- plugin log ---\n" + node.PluginLogTail();
        Assert.True(result.ExitCode != 0, "exit code 0\n" + context);
        using JsonDocument error = JsonDocument.Parse(result.StandardOutput);
        Assert.True(error.RootElement.GetProperty("code").GetInt32() == code, $"expected code {code}\n{context}");
        Assert.True(error.RootElement.GetProperty("msg").GetString()!.Contains(messagePart, StringComparison.Ordinal),
            $"message does not name \"{messagePart}\"\n{context}");
    }
}
