using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CniV6.Agent.Cluster;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Linux;
using CniV6.Agent.Dataplane.Routing.HostGateway;
using CniV6.Agent.Health;
using CniV6.Agent.Tests.Infrastructure;
using CniV6.Agent.Tests.Unit;
using CniV6.Linux;
using CniV6.Netlink;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>
/// host-gw against the real kernel in a throwaway namespace (root): a peer claiming the default route or a
/// destination someone else already routes changes nothing of theirs, now or when the peer goes away.
/// </summary>
public sealed class RouteOwnershipTests : IDisposable
{
    private readonly string _netns = $"cv6d-{Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant()}-own";
    private readonly AgentMetrics _metrics = new();

    public RouteOwnershipTests()
    {
        RequiredFiles.EnsureRoot();
        Shell.Run("ip", "netns", "add", _netns);
        try
        {
            Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
            Ip("link", "set", "eth0p", "up");
            Ip("link", "set", "eth0", "up");
            Ip("addr", "add", "fd00:a11::11/64", "dev", "eth0", "nodad");
            Ip("addr", "add", "10.99.0.11/24", "dev", "eth0");
            Ip("-6", "route", "add", "default", "via", "fd00:a11::fe", "dev", "eth0");
            Ip("-4", "route", "add", "default", "via", "10.99.0.254", "dev", "eth0");
            Ip("-6", "route", "add", "fd00:10:244:3::/64", "via", "fd00:a11::fe", "dev", "eth0", "proto", "static");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    [Fact]
    public void Default_and_static_routes_survive_peers_claiming_them_and_leaving()
    {
        var before = ForeignRoutes();
        var hostile = new ClusterNode("n9", [IPAddress.Parse("fd00:a11::19"), IPAddress.Parse("10.99.0.19")], [IPNetwork.Parse("::/0"), IPNetwork.Parse("0.0.0.0/0")]);
        var claimsStatic = TestStates.Node(3);
        var state = TestStates.Cluster(1, 1, 2) is var s ? s with { Nodes = [.. s.Nodes, claimsStatic, hostile] } : null!;

        NetNamespace.Run(InNamespace.PathOf(_netns), () =>
        {
            var links = new NetlinkLocalPrefixReader().ListLocalPrefixes();
            var screen = new PeerScreen(_metrics, new NoClusterEvents(), NullLogger<PeerScreen>.Instance);
            var mode = new HostGatewayMode(new NetlinkNodeRouteTable(), _metrics, NullLogger<HostGatewayMode>.Instance);
            mode.Reconcile(new SyncContext(screen.Screen(state, links), links, Full: true));
        });

        Assert.Equal(before, ForeignRoutes());
        Assert.Equal(
            ["10.244.2.0/24 via 10.99.0.12", "10.244.3.0/24 via 10.99.0.13", "fd00:10:244:2::/64 via fd00:a11::12"],
            OwnedRoutes());
        var metrics = _metrics.Render();
        Assert.Contains("cniv6_agent_routes_not_owned_total 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("cniv6_agent_peer_claims_refused_total 2\n", metrics, StringComparison.Ordinal);

        NetNamespace.Run(InNamespace.PathOf(_netns), () =>
        {
            var links = new NetlinkLocalPrefixReader().ListLocalPrefixes();
            var mode = new HostGatewayMode(new NetlinkNodeRouteTable(), _metrics, NullLogger<HostGatewayMode>.Instance);
            mode.Reconcile(new SyncContext(TestStates.Cluster(1, 1), links, Full: true));
        });

        Assert.Equal(before, ForeignRoutes());
        Assert.Empty(OwnedRoutes());
    }

    private string[] OwnedRoutes() => AllRoutes().Where(r => r.Protocol == RouteProtocol.CniV6)
                                                 .Select(r => $"{r.Destination} via {r.Gateway}").Order(StringComparer.Ordinal).ToArray();

    private string[] ForeignRoutes() => AllRoutes().Where(r => r.Protocol != RouteProtocol.CniV6)
                                                   .Select(r => $"{r.Destination} via {r.Gateway} proto {r.Protocol}").Order(StringComparer.Ordinal).ToArray();

    private IEnumerable<RouteInfo> AllRoutes() =>
        InNamespace.Routes(_netns, AddressFamily.InterNetworkV6).Concat(InNamespace.Routes(_netns, AddressFamily.InterNetwork));

    private void Ip(params string[] args) => Shell.Run("ip", ["-n", _netns, .. args]);

    public void Dispose() => Shell.TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "del", _netns);
}
