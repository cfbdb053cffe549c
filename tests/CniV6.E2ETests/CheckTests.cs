using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>CHECK through libcni (which passes the cached ADD result as prevResult).</summary>
public sealed class CheckTests
{
    [Fact]
    public void Check_passes_right_after_add()
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();
        node.Add(conflist, pod).EnsureSucceeded();

        node.Check(conflist, pod).EnsureSucceeded();
    }

    [Fact]
    public void Check_fails_after_the_pod_ipv6_default_route_is_deleted()
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();
        node.Add(conflist, pod).EnsureSucceeded();

        pod.Namespace.Ip("-6", "route", "del", "default");
        DriverOutcome check = node.Check(conflist, pod);

        Assert.False(check.Succeeded, "CHECK passed although the pod has no IPv6 default route\n" + check.Explain());
        Assert.NotEqual(0, check.ErrorCode);
    }

    [Fact]
    public void Check_fails_after_the_host_veth_is_deleted()
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();
        node.Add(conflist, pod).EnsureSucceeded();

        // Deleting one end of a veth deletes both: the pod loses eth0 too.
        node.Namespace.Ip("link", "del", NodeNaming.HostVeth(pod.ContainerId, pod.IfName));
        DriverOutcome check = node.Check(conflist, pod);

        Assert.False(check.Succeeded, "CHECK passed although the veth is gone\n" + check.Explain());
    }
}
