using System.Net;
using System.Net.Sockets;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>DEL through libcni: idempotent, tolerant of vanished sandboxes, and really releasing what ADD took.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DelTests
{
    [Fact]
    public void Del_twice_succeeds_and_cuts_the_pod_off_at_once_while_the_runtime_still_holds_its_namespace()
    {
        using var node = new E2ENode();
        IPAddress nodeV6 = IPAddress.Parse("2001:db8::10");
        IPAddress nodeV4 = IPAddress.Parse("192.0.2.10");
        node.AddNodeAddress(nodeV6);
        node.AddNodeAddress(nodeV4);
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();
        node.Add(conflist, pod).EnsureSucceeded();
        IPAddress v6 = pod.Address(AddressFamily.InterNetworkV6);
        IPAddress v4 = pod.Address(AddressFamily.InterNetwork);
        Assert.True(pod.PingOnce(nodeV6).Succeeded, "the pod could not reach the node before DEL");

        node.Del(conflist, pod).EnsureSucceeded();
        node.Del(conflist, pod).EnsureSucceeded();

        // The namespace is still there (the runtime removes it after DEL): the pod can neither send nor receive,
        // and the node has no route or neighbour entry for its addresses left.
        Assert.False(pod.PingOnce(nodeV6).Succeeded, "the pod reached the node over IPv6 after DEL");
        Assert.False(pod.PingOnce(nodeV4).Succeeded, "the pod reached the node over IPv4 after DEL");
        Assert.False(node.Namespace.Exec("ping", "-6", "-n", "-c", "1", "-W", "1", v6.ToString()).Succeeded, "the node reached the pod after DEL");
        Assert.Equal("", node.Namespace.Ip("-6", "route", "show", $"{v6}/128").Trim());
        Assert.Equal("", node.Namespace.Ip("-4", "route", "show", $"{v4}/32").Trim());
        Assert.Equal("", node.Namespace.Ip("-6", "route", "show", "proto", "198").Trim());
        Assert.DoesNotContain(v6.ToString(), node.Namespace.Ip("neigh", "show"), StringComparison.Ordinal);
        string hostVeth = NodeNaming.HostVeth(pod.ContainerId, pod.IfName);
        Assert.DoesNotContain("state UP", node.Namespace.Ip("link", "show", hostVeth), StringComparison.Ordinal);

        // Once the runtime has deleted the namespace, nothing of the pod is left on the node.
        pod.Namespace.Delete();
        AssertGoneSoon(node, hostVeth);
    }

    [Theory]
    [InlineData("fd00:10:244:7::/126", 3, "2001:db8::10")]
    [InlineData("10.244.7.0/30", 2, "192.0.2.10")]
    public void Del_then_an_immediate_add_reusing_the_address_pings_fine(string pool, int usable, string nodeAddress)
    {
        using var node = new E2ENode();
        string conflist = node.WriteConfig(ConfLists.List("cv6e-reuse", "1.0.0", ConfLists.CniV6(node, pool)));
        IPAddress nodeIp = IPAddress.Parse(nodeAddress);
        node.AddNodeAddress(nodeIp);
        PodSandbox first = node.CreatePod();
        node.Add(conflist, first).EnsureSucceeded();
        IPAddress address = first.Address(nodeIp.AddressFamily);

        // Fill the rest of the pool, so the next pod can only get the first one's address.
        for (int i = 1; i < usable; i++)
        {
            node.Add(conflist, node.CreatePod()).EnsureSucceeded();
        }

        // DEL while the first pod's namespace (and its dead veth) still exists, then ADD at once.
        PodSandbox second = node.CreatePod();
        node.Del(conflist, first).EnsureSucceeded();
        node.Add(conflist, second).EnsureSucceeded();

        Assert.Equal(address, second.Address(nodeIp.AddressFamily));
        ProcessResult toNode = second.PingOnce(nodeIp);
        Assert.True(toNode.Succeeded, toNode.Describe());
        string family = nodeIp.AddressFamily == AddressFamily.InterNetworkV6 ? "-6" : "-4";
        ProcessResult fromNode = node.Namespace.Exec("ping", family, "-n", "-c", "1", "-W", "1", address.ToString());
        Assert.True(fromNode.Succeeded, fromNode.Describe());
        Assert.False(first.PingOnce(nodeIp).Succeeded, "the DEL'd pod reached the node");
    }

    [Fact]
    public void Del_of_one_attachment_next_to_another_live_one_removes_its_interface_from_the_pod()
    {
        using var node = new E2ENode();
        PodSandbox pod = node.CreatePod();
        var primary = SecondaryAttachmentTests.Config(node, "cv6e-primary", Pools.IPv6, Pools.IPv4);
        var secondary = SecondaryAttachmentTests.Config(node, "cv6e-secondary", "fd00:10:245:1::/64", "10.245.1.0/24");
        SecondaryAttachmentTests.Invoke(node, "ADD", pod, "eth0", primary);
        SecondaryAttachmentTests.Invoke(node, "ADD", pod, "net1", secondary);

        SecondaryAttachmentTests.Invoke(node, "DEL", pod, "net1", secondary);

        // eth0 is still up in the pod, so net1 is not left behind dead: it is gone, with its host veth.
        Assert.False(pod.Namespace.Exec("ip", "link", "show", "net1").Succeeded, "net1 is still in the pod");
        Assert.DoesNotContain(NodeNaming.HostVeth(pod.ContainerId, "net1"), node.LinkNames());
    }

    [Fact]
    public void Del_succeeds_after_the_pod_namespace_is_gone()
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();
        node.Add(conflist, pod).EnsureSucceeded();

        pod.Namespace.Delete();

        node.Del(conflist, pod).EnsureSucceeded();
        AssertGoneSoon(node, NodeNaming.HostVeth(pod.ContainerId, pod.IfName));
    }

    [Fact]
    public void Addresses_released_by_del_are_handed_out_again_when_the_pool_is_full()
    {
        using var node = new E2ENode();
        // A /30 holds two usable IPv4 addresses (.1 and .2): the third pod fits only after a DEL.
        string conflist = node.WriteConfig(ConfLists.List("cv6e-small", "1.0.0",
            ConfLists.CniV6(node, Pools.IPv6, "10.244.9.0/30")));
        PodSandbox first = node.CreatePod();
        PodSandbox second = node.CreatePod();
        PodSandbox third = node.CreatePod();
        node.Add(conflist, first).EnsureSucceeded();
        node.Add(conflist, second).EnsureSucceeded();
        DriverOutcome full = node.Add(conflist, third);
        Assert.False(full.Succeeded, "ADD succeeded although the IPv4 pool was exhausted\n" + full.Explain());
        node.Del(conflist, third).EnsureSucceeded();

        node.Del(conflist, first).EnsureSucceeded();
        node.Add(conflist, third).EnsureSucceeded();

        Assert.True(IPNetwork.Parse("10.244.9.0/30").Contains(third.Address(AddressFamily.InterNetwork)));
    }

    /// <summary>The kernel removes a namespace (and the veth ends in it) in the background, within moments.</summary>
    private static void AssertGoneSoon(E2ENode node, string hostVeth)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (node.LinkNames().Contains(hostVeth) && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(50);
        }

        Assert.DoesNotContain(hostVeth, node.LinkNames());
    }
}
