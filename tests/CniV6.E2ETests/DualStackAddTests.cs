using System.Net;
using System.Net.Sockets;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests;

/// <summary>ADD of the dual-stack network through libcni: what the pod and the node end up with.</summary>
public sealed class DualStackAddTests
{
    private static readonly IPAddress IPv6Gateway = IPAddress.Parse("fe80::ecee:eeff:feee:eeee");
    private static readonly IPAddress IPv4Gateway = IPAddress.Parse("169.254.1.1");

    [Fact]
    public void Add_gives_eth0_exactly_one_ipv6_slash128_and_one_ipv4_slash32_from_the_pools()
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();

        DriverOutcome add = node.Add(conflist, pod).EnsureSucceeded();

        IReadOnlyList<InterfaceAddress> addresses = pod.GlobalAddresses();
        Assert.Equal(2, addresses.Count);
        InterfaceAddress v6 = Assert.Single(addresses, a => a.Address.AddressFamily == AddressFamily.InterNetworkV6);
        InterfaceAddress v4 = Assert.Single(addresses, a => a.Address.AddressFamily == AddressFamily.InterNetwork);
        Assert.Equal(128, v6.PrefixLength);
        Assert.Equal(32, v4.PrefixLength);
        Assert.True(IPNetwork.Parse(Pools.IPv6).Contains(v6.Address), $"{v6} is outside {Pools.IPv6}");
        Assert.True(IPNetwork.Parse(Pools.IPv4).Contains(v4.Address), $"{v4} is outside {Pools.IPv4}");

        // The result the runtime records names exactly the addresses the pod has.
        Assert.Equal(
            addresses.Select(a => a.Address.ToString()).Order().ToList(),
            add.ResultAddresses().Select(r => r.Address.ToString()).Order().ToList());
    }

    [Fact]
    public void Add_routes_pod_defaults_via_the_link_local_and_169_254_1_1_gateways_with_permanent_neighbours()
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();

        node.Add(conflist, pod).EnsureSucceeded();

        Assert.Equal([(IPv6Gateway.ToString(), "eth0")], pod.DefaultRoutes(AddressFamily.InterNetworkV6));
        Assert.Equal([(IPv4Gateway.ToString(), "eth0")], pod.DefaultRoutes(AddressFamily.InterNetwork));

        // Permanent entries mean the first packet needs no neighbour resolution.
        string neighbours = pod.Namespace.Ip("neigh", "show", "dev", "eth0");
        Assert.Contains($"{IPv6Gateway} lladdr ee:ee:ee:ee:ee:ee PERMANENT", neighbours, StringComparison.Ordinal);
        Assert.Contains($"{IPv4Gateway} lladdr ee:ee:ee:ee:ee:ee PERMANENT", neighbours, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_creates_the_hash_named_host_veth_with_host_routes_to_the_pod_addresses()
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();

        node.Add(conflist, pod).EnsureSucceeded();

        string hostVeth = NodeNaming.HostVeth(pod.ContainerId, pod.IfName);
        Assert.Contains(hostVeth, node.LinkNames());
        string v6Route = node.Namespace.Ip("-6", "route", "show", $"{pod.Address(AddressFamily.InterNetworkV6)}/128");
        string v4Route = node.Namespace.Ip("-4", "route", "show", $"{pod.Address(AddressFamily.InterNetwork)}/32");
        Assert.Contains($"dev {hostVeth}", v6Route, StringComparison.Ordinal);
        Assert.Contains($"dev {hostVeth}", v4Route, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_fails_when_the_pod_interface_already_exists_and_leaves_the_first_attachment_intact()
    {
        using var node = new E2ENode();
        string conflist = DualStackNetwork.Write(node);
        PodSandbox pod = node.CreatePod();
        node.Add(conflist, pod).EnsureSucceeded();
        IReadOnlyList<InterfaceAddress> before = pod.GlobalAddresses();

        // Another container id aimed at the same sandbox and ifname: the spec says ADD must fail.
        DriverOutcome second = node.Drive("add", conflist, pod.ContainerId + "x", pod.Namespace.Path, pod.IfName, []);

        Assert.False(second.Succeeded, second.Explain());
        Assert.Equal(before, pod.GlobalAddresses());
        node.Check(conflist, pod).EnsureSucceeded();
    }
}
