using System.Net;
using System.Net.Sockets;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>
/// The harness itself, proven against the reference ptp + host-local plugins: if these fail, the
/// driver or the node fixture is broken, not cniv6.
/// </summary>
public sealed class ReferencePtpTests
{
    [Fact]
    public void Reference_ptp_chain_adds_checks_and_deletes_through_the_driver_in_the_node_namespace()
    {
        using var node = new E2ENode();
        string conflist = node.WriteConfig(ConfLists.List("cv6e-ptp", "1.0.0",
            ConfLists.Ptp(node, Pools.HostLocalIPv6, Pools.HostLocalIPv4)));
        PodSandbox pod = node.CreatePod();

        node.Add(conflist, pod).EnsureSucceeded();

        Assert.Contains(pod.GlobalAddresses(), a => a.Address.AddressFamily == AddressFamily.InterNetworkV6);
        Assert.Contains(pod.GlobalAddresses(), a => a.Address.AddressFamily == AddressFamily.InterNetwork);
        Assert.Contains(node.LinkNames(), n => n.StartsWith("veth", StringComparison.Ordinal));
        node.Check(conflist, pod).EnsureSucceeded();
        node.Del(conflist, pod).EnsureSucceeded();
        Assert.DoesNotContain(node.LinkNames(), n => n.StartsWith("veth", StringComparison.Ordinal));
    }

    [Fact]
    public void Reference_ptp_with_portmap_forwards_a_mapped_node_port_to_a_listener_in_the_pod()
    {
        using var node = new E2ENode();
        IPAddress nodeAddress = IPAddress.Parse("192.0.2.10");
        node.AddNodeAddress(nodeAddress);
        string conflist = node.WriteConfig(ConfLists.List("cv6e-ptp-portmap", "1.0.0",
            ConfLists.Ptp(node, Pools.HostLocalIPv6, Pools.HostLocalIPv4), ConfLists.PortMap()));
        PodSandbox pod = node.CreatePod();
        node.Add(conflist, pod, "-portmap", "18080:8080/tcp").EnsureSucceeded();
        using var listener = new PodListener(pod, 8080);

        ProcessResult dial = node.Namespace.Exec(RepoLayout.DriverBinary, "-op", "dial", "-addr", $"{nodeAddress}:18080", "-timeout", "10s");

        Assert.True(dial.Succeeded, dial.Describe());
        Assert.Equal(PodListener.Greeting, dial.StandardOutput);
    }
}
