using System.Net;
using System.Net.Sockets;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>DEL through libcni: idempotent, tolerant of vanished sandboxes, and really releasing what ADD took.</summary>
public sealed class DelTests
{
    [Fact]
    public void Del_twice_succeeds_and_removes_the_host_veth_and_routes()
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();
        node.Add(conflist, pod).EnsureSucceeded();
        IPAddress v6 = pod.Address(AddressFamily.InterNetworkV6);

        node.Del(conflist, pod).EnsureSucceeded();
        node.Del(conflist, pod).EnsureSucceeded();

        Assert.DoesNotContain(NodeNaming.HostVeth(pod.ContainerId, pod.IfName), node.LinkNames());
        Assert.Empty(pod.GlobalAddresses());
        Assert.Equal("", node.Namespace.Ip("-6", "route", "show", $"{v6}/128").Trim());
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
}
