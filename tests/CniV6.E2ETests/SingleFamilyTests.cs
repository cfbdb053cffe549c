using System.Net.Sockets;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>Networks with a single pool: the pod gets that family only, and it works end to end.</summary>
public sealed class SingleFamilyTests
{
    [Theory]
    [InlineData(Pools.IPv6, AddressFamily.InterNetworkV6, 128)]
    [InlineData(Pools.IPv4, AddressFamily.InterNetwork, 32)]
    public void Single_pool_network_gives_only_that_family_and_pods_reach_each_other(string pool, AddressFamily family, int prefixLength)
    {
        using var node = new E2ENode();
        string conflist = node.WriteConfig(ConfLists.List("cv6e-single", "1.0.0", ConfLists.CniV6(node, pool)));
        PodSandbox first = node.CreatePod();
        PodSandbox second = node.CreatePod();

        node.Add(conflist, first).EnsureSucceeded();
        node.Add(conflist, second).EnsureSucceeded();

        InterfaceAddress only = Assert.Single(first.GlobalAddresses());
        Assert.Equal(family, only.Address.AddressFamily);
        Assert.Equal(prefixLength, only.PrefixLength);
        AddressFamily other = family == AddressFamily.InterNetworkV6 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        Assert.Empty(first.DefaultRoutes(other));
        Assert.Single(first.DefaultRoutes(family));
        ProcessResult ping = second.PingOnce(only.Address);
        Assert.True(ping.Succeeded, ping.Describe());
        node.Check(conflist, first).EnsureSucceeded();
        node.Del(conflist, first).EnsureSucceeded();
        node.Del(conflist, second).EnsureSucceeded();
    }
}
