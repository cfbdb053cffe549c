using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using CniV6.E2ETests.Infrastructure;
using static CniV6.E2ETests.SecondaryAttachmentTests;

namespace CniV6.E2ETests.Hostile;

/// <summary>
/// Two networks whose pools overlap on one node (or one network renamed, or its dataDir changed) hand out the same
/// address: the second ADD must refuse, naming the attachment the address is routed to, and leave the node as it was.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OverlappingPoolTests
{
    [Fact]
    public void Two_networks_sharing_a_pool_never_steal_an_address_routed_to_another_attachment()
    {
        using var node = new E2ENode();
        PodSandbox first = node.CreatePod();
        PodSandbox second = node.CreatePod();
        // Same pools, separate stores (another network name): both hand out the same first address.
        JsonObject one = Config(node, "cv6e-net-one", Pools.IPv6, Pools.IPv4);
        JsonObject two = Config(node, "cv6e-net-two", Pools.IPv6, Pools.IPv4);
        Invoke(node, "ADD", first, "eth0", one);
        string hostVeth = NodeNaming.HostVeth(first.ContainerId, first.IfName);
        // "linkdown" comes and goes with the veth's carrier, which the kernel's linkwatch reports a moment after ADD.
        string Routes() => (node.Namespace.Ip("-6", "route", "show") + node.Namespace.Ip("-4", "route", "show"))
            .Replace(" linkdown", "", StringComparison.Ordinal);
        string routesBefore = Routes();

        ProcessResult stolen = node.InvokePlugin(Environment("ADD", second, "eth0"), two.ToJsonString());

        Assert.False(stolen.Succeeded, stolen.Describe());
        using JsonDocument error = JsonDocument.Parse(stolen.StandardOutput);
        string message = error.RootElement.GetProperty("msg").GetString()!;
        Assert.Contains("is already routed to interface " + hostVeth, message, StringComparison.Ordinal);
        Assert.Contains($"network cv6e-net-one, container {first.ContainerId}", message, StringComparison.Ordinal);
        Assert.Equal(routesBefore, Routes());
        Assert.DoesNotContain(NodeNaming.HostVeth(second.ContainerId, second.IfName), node.LinkNames());
        Assert.Contains(first.Address(AddressFamily.InterNetworkV6).ToString(), routesBefore, StringComparison.Ordinal);
    }
}
