using System.Text.Json;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>The whole lifecycle at each config version libcni 1.1.2 (what runtimes ship) understands.</summary>
public sealed class LibcniVersionTests
{
    [Theory]
    [InlineData("0.4.0")]
    [InlineData("1.0.0")]
    public void Add_check_del_through_libcni_work_at_config_version(string cniVersion)
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node, cniVersion);
        PodSandbox pod = node.CreatePod();

        DriverOutcome add = node.Add(conflist, pod).EnsureSucceeded();

        Assert.Equal(cniVersion, add.CniVersion);
        Assert.Equal(
            pod.GlobalAddresses().Select(a => a.Address.ToString()).Order().ToList(),
            add.ResultAddresses().Select(r => r.Address.ToString()).Order().ToList());
        if (cniVersion == "0.4.0")
        {
            // 0.4.0 results carry the IP version per address.
            Assert.All(add.Json.GetProperty("ips").EnumerateArray(), ip =>
                Assert.Contains(ip.GetProperty("version").GetString(), new[] { "4", "6" }));
        }

        node.Check(conflist, pod).EnsureSucceeded();
        node.Del(conflist, pod).EnsureSucceeded();
        // DEL takes the host end down instead of waiting for the kernel to delete the pair (the pair goes with the
        // pod's namespace): the pod keeps its addresses on a dead interface, and the node no longer routes to them.
        Assert.False(pod.InterfaceHasCarrier(), "the pod's interface still has carrier after DEL");
        Assert.Equal("", node.Namespace.Ip("-6", "route", "show", "proto", "198").Trim());
    }

    [Fact]
    public void Result_at_1_0_0_names_the_pod_interface_with_its_sandbox()
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();

        DriverOutcome add = node.Add(conflist, pod).EnsureSucceeded();

        JsonElement[] interfaces = add.Json.GetProperty("interfaces").EnumerateArray().ToArray();
        JsonElement podInterface = Assert.Single(interfaces, i => i.TryGetProperty("sandbox", out _));
        Assert.Equal("eth0", podInterface.GetProperty("name").GetString());
        Assert.Equal(pod.Namespace.Path, podInterface.GetProperty("sandbox").GetString());
        Assert.Contains(interfaces, i => i.GetProperty("name").GetString() == NodeNaming.HostVeth(pod.ContainerId, pod.IfName));
    }
}
