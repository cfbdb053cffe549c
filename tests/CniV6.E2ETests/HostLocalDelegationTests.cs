using System.Net;
using System.Net.Sockets;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>cniv6 wiring with IPAM delegated to the reference host-local plugin.</summary>
public sealed class HostLocalDelegationTests
{
    [Fact]
    public void Host_local_delegation_assigns_from_its_ranges_wires_pods_and_releases_on_del()
    {
        using var node = new E2ENode();
        const string network = "cv6e-hostlocal";
        string conflist = node.WriteConfig(ConfLists.List(network, "1.0.0",
            ConfLists.CniV6(node, ConfLists.HostLocalIpam(node, Pools.HostLocalIPv6, Pools.HostLocalIPv4))));
        PodSandbox first = node.CreatePod();
        PodSandbox second = node.CreatePod();

        node.Add(conflist, first).EnsureSucceeded();
        node.Add(conflist, second).EnsureSucceeded();

        Assert.True(IPNetwork.Parse(Pools.HostLocalIPv6).Contains(first.Address(AddressFamily.InterNetworkV6)));
        Assert.True(IPNetwork.Parse(Pools.HostLocalIPv4).Contains(first.Address(AddressFamily.InterNetwork)));
        ProcessResult ping6 = second.PingOnce(first.Address(AddressFamily.InterNetworkV6));
        ProcessResult ping4 = second.PingOnce(first.Address(AddressFamily.InterNetwork));
        Assert.True(ping6.Succeeded, ping6.Describe());
        Assert.True(ping4.Succeeded, ping4.Describe());
        node.Check(conflist, first).EnsureSucceeded();

        node.Del(conflist, first).EnsureSucceeded();
        node.Del(conflist, second).EnsureSucceeded();

        // host-local keeps one file per reserved address; after DEL only its bookkeeping remains.
        string reservations = Path.Combine(node.WorkDir, "host-local", network);
        string[] left = Directory.GetFiles(reservations).Select(Path.GetFileName)
            .Where(f => f != "lock" && !f!.StartsWith("last_reserved_ip", StringComparison.Ordinal))
            .ToArray()!;
        Assert.Empty(left);
    }
}
