using System.Diagnostics;
using System.Net;
using CniV6.IntegrationTests.Infrastructure;
using CniV6.Linux;
using CniV6.Netlink;
using Xunit.Abstractions;

namespace CniV6.IntegrationTests.Netlink;

/// <summary>
/// Times the netlink part of a pod ADD (veth pair across namespaces, addresses, routes, neighbours) and prints it.
/// </summary>
public sealed class PodWiringBenchmarkTests(ITestOutputHelper output)
{
    private const int Iterations = 20;
    private static readonly byte[] GatewayMac = [0xee, 0xee, 0xee, 0xee, 0xee, 0xee];
    private static readonly IPAddress GatewayV6 = IPAddress.Parse("fe80::ecee:eeff:feee:eeee");
    private static readonly IPAddress GatewayV4 = IPAddress.Parse("169.254.1.1");

    [Fact]
    public void One_veth_addresses_routes_sequence_takes_milliseconds()
    {
        using var node = new TestNetNs();
        using var pod = new TestNetNs();
        using SafeFd nodeFd = NetNamespace.Open(node.Path);
        var total = new List<double>();
        var netlinkOnly = new List<double>();

        for (int i = 0; i < Iterations; i++)
        {
            string hostVeth = $"cv6t{i:x8}";
            long started = Stopwatch.GetTimestamp();
            TimeSpan inPod = NetNamespace.Run(pod.Path, () =>
            {
                long t = Stopwatch.GetTimestamp();
                using var rt = RtNetlink.Open();
                WirePod(rt, nodeFd, hostVeth, i);
                return Stopwatch.GetElapsedTime(t);
            });
            TimeSpan inNode = NetNamespace.Run(node.Path, () =>
            {
                long t = Stopwatch.GetTimestamp();
                using var rt = RtNetlink.Open();
                WireNode(rt, hostVeth, i);
                return Stopwatch.GetElapsedTime(t);
            });
            total.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            netlinkOnly.Add((inPod + inNode).TotalMilliseconds);

            // Clean up for the next round (not timed): deleting the host end removes the pod end too.
            NetNamespace.Run(node.Path, () =>
            {
                using var rt = RtNetlink.Open();
                Assert.True(rt.DeleteLinkIfExists(hostVeth));
            });
        }

        string report =
            $"pod wiring (veth pair + 2 addresses + 2 neighbours + 3 routes in the pod, link up + 2 host routes on the node), {Iterations} runs: " +
            $"netlink work {Summary(netlinkOnly)}; including both namespace entries {Summary(total)}";
        output.WriteLine(report);
        Console.WriteLine("[benchmark] " + report);

        // Without DAD or neighbour resolution nothing here waits on the network; a second would mean something blocks.
        Assert.True(Median(total) < 1000, report);
    }

    private static double Median(List<double> samples) => samples.Order().ElementAt(samples.Count / 2);

    private static string Summary(List<double> samples)
        => $"p50 {Median(samples):0.00} ms (min {samples.Min():0.00}, max {samples.Max():0.00})";

    private static void WirePod(RtNetlink rt, SafeFd nodeNetNs, string hostVeth, int i)
    {
        rt.CreateVethPair("eth0", hostVeth, nodeNetNs, 1500, GatewayMac);
        int index = rt.GetLink("eth0")!.Index;
        rt.AddAddress(index, IPAddress.Parse($"2001:db8::{i + 1:x}"), 128);
        rt.AddAddress(index, IPAddress.Parse($"10.0.0.{i + 1}"), 32);
        rt.SetLinkUp(index);
        rt.AddNeighbor(index, GatewayV4, GatewayMac, permanent: true);
        rt.AddNeighbor(index, GatewayV6, GatewayMac, permanent: true);
        rt.ReplaceRoute(new RouteInfo(new IPNetwork(GatewayV4, 32), null, index, RouteScope.Link));
        rt.ReplaceRoute(new RouteInfo(new IPNetwork(IPAddress.Any, 0), GatewayV4, index));
        rt.ReplaceRoute(new RouteInfo(new IPNetwork(IPAddress.IPv6Any, 0), GatewayV6, index));
    }

    private static void WireNode(RtNetlink rt, string hostVeth, int i)
    {
        int index = rt.GetLink(hostVeth)!.Index;
        rt.SetLinkUp(index);
        rt.ReplaceRoute(new RouteInfo(IPNetwork.Parse($"2001:db8::{i + 1:x}/128"), null, index, Protocol: RouteProtocol.CniV6));
        rt.ReplaceRoute(new RouteInfo(IPNetwork.Parse($"10.0.0.{i + 1}/32"), null, index, RouteScope.Link, RouteProtocol.CniV6));
    }
}
