using System.Net;
using System.Net.Sockets;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>
/// Traffic right after ADD: every check is a single echo request with a one-second wait, because a
/// pod must have working network on its first packet (no DAD wait, no neighbour resolution).
/// </summary>
public sealed class PodConnectivityTests
{
    [Theory]
    [InlineData(AddressFamily.InterNetworkV6)]
    [InlineData(AddressFamily.InterNetwork)]
    public void First_ping_between_two_pods_on_the_same_node_is_answered(AddressFamily family)
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        PodSandbox first = node.CreatePod();
        PodSandbox second = node.CreatePod();
        node.Add(conflist, first).EnsureSucceeded();
        node.Add(conflist, second).EnsureSucceeded();

        ProcessResult there = second.PingOnce(first.Address(family));
        ProcessResult back = first.PingOnce(second.Address(family));

        Assert.True(there.Succeeded, there.Describe());
        Assert.True(back.Succeeded, back.Describe());
    }

    [Theory]
    [InlineData("fe80::ecee:eeff:feee:eeee")]
    [InlineData("169.254.1.1")]
    public void First_ping_to_the_gateway_is_answered(string gateway)
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();
        node.Add(conflist, pod).EnsureSucceeded();

        ProcessResult ping = pod.PingOnce(IPAddress.Parse(gateway));

        Assert.True(ping.Succeeded, ping.Describe());
    }

    [Theory]
    [InlineData("2001:db8::10")]
    [InlineData("192.0.2.10")]
    public void First_ping_to_a_node_address_through_the_gateway_is_answered(string nodeAddress)
    {
        using var node = new E2ENode();
        IPAddress address = IPAddress.Parse(nodeAddress);
        node.AddNodeAddress(address);
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();
        node.Add(conflist, pod).EnsureSucceeded();

        ProcessResult ping = pod.PingOnce(address);

        Assert.True(ping.Succeeded, ping.Describe());
    }
}
