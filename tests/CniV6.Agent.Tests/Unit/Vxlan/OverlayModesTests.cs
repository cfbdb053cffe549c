using System.Net;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Controllers;
using CniV6.Agent.Dataplane.Routing;
using CniV6.Agent.Dataplane.Routing.HostGateway;
using CniV6.Agent.Dataplane.Routing.Vxlan;
using CniV6.Agent.Health;
using Microsoft.Extensions.Logging.Abstractions;
using static CniV6.Agent.Tests.Unit.Vxlan.OverlayTopology;

namespace CniV6.Agent.Tests.Unit.Vxlan;

/// <summary>The <c>vxlan</c> and <c>auto</c> modes behind <see cref="IRoutingMode"/>: what each routes where, the MTU they ask of the conflist, and mode changes.</summary>
public sealed class OverlayModesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6x-modes-").FullName;
    private readonly FakeVxlanDataplane _kernel = new();
    private readonly AgentMetrics _metrics = new();

    private static SyncContext Sync(params int[] peers) => new(Topology(peers), Uplink, Full: true);

    private AutoMode Auto() => new(_kernel, new VxlanOptions(), _metrics, NullLogger<AutoMode>.Instance);

    private VxlanMode Vxlan() => new(_kernel, new VxlanOptions(), _metrics, NullLogger<VxlanMode>.Instance);

    [Fact]
    public void Auto_routes_a_same_segment_peer_directly_and_a_peer_behind_the_router_through_the_tunnel()
    {
        Auto().Reconcile(Sync(2, 3));

        var device = _kernel.Links["cniv6.vx6"];
        string[] expected = ["fd00:10:244:2::/64 via fd00:a11::12 #2 onlink False", "10.244.2.0/24 via 10.99.0.12 #2 onlink False",
                             $"fd00:10:244:3::/64 via fd00:10:244:3:: #{device.Index} onlink True", $"10.244.3.0/24 via 10.244.3.0 #{device.Index} onlink True"];
        Assert.Equal(expected.Order(StringComparer.Ordinal),
                     _kernel.Routes.Select(r => $"{r.Destination} via {r.Gateway} #{r.OutputIndex} onlink {r.OnLink}").Order(StringComparer.Ordinal));
        Assert.Equal(IPAddress.Parse("fd00:b22::13"), Assert.Single(_kernel.Fdb).Destination);
    }

    [Fact]
    public void Auto_on_one_segment_is_host_gw_no_device_no_firewall_no_MTU_cost()
    {
        var auto = Auto();

        auto.Reconcile(Sync(2));

        Assert.Empty(_kernel.Links);
        Assert.Null(_kernel.Firewall);
        Assert.Equal(2, _kernel.Routes.Count);
        Assert.All(_kernel.Routes, r => Assert.False(r.OnLink));
        Assert.Equal(0, auto.PodMtuOverhead(Sync(2)));
        Assert.Equal(70, auto.PodMtuOverhead(Sync(2, 3)));
    }

    [Fact]
    public void Vxlan_tunnels_every_peer_even_on_the_same_segment()
    {
        var vxlan = Vxlan();

        vxlan.Reconcile(Sync(2, 3));

        var index = _kernel.Links["cniv6.vx6"].Index;
        Assert.Equal(4, _kernel.Routes.Count);
        Assert.All(_kernel.Routes, r => Assert.Equal(index, r.OutputIndex));
        Assert.Equal(2, _kernel.Fdb.Count);
        Assert.NotNull(_kernel.Firewall);
        Assert.Equal(70, vxlan.PodMtuOverhead(Sync(2)));
        Assert.Equal("vxlan", vxlan.Name);
    }

    [Fact]
    public void The_conflist_MTU_follows_the_mode_and_an_explicit_MTU_wins()
    {
        var options = new AgentOptions { NodeName = "n1", CniConfDir = Path.Combine(_dir, "net.d") };
        var v4Only = Node(3) with { InternalAddresses = [IPAddress.Parse("10.98.0.13")] };
        SyncContext v4Tunnel = new(Topology(v4Only), Uplink, Full: true);

        Assert.Equal(1500, Conflist(options, Auto()).PodMtu(Sync(2)));
        Assert.Equal(1430, Conflist(options, Auto()).PodMtu(Sync(2, 3)));
        Assert.Equal(1450, Conflist(options, Auto()).PodMtu(v4Tunnel));
        Assert.Equal(1430, Conflist(options, Vxlan()).PodMtu(Sync(2)));
        Assert.Equal(1400, Conflist(options with { Mtu = 1400 }, Vxlan()).PodMtu(Sync(2, 3)));
    }

    [Fact]
    public void Switching_from_vxlan_to_hostgw_removes_the_devices_and_firewall_then_hostgw_routes_the_segment()
    {
        var record = new RoutingModeRecord(Path.Combine(_dir, "routing-mode"));
        new PodRoutingController(Vxlan(), _ => null, record, NullLogger<PodRoutingController>.Instance).Reconcile(Sync(2, 3));
        Assert.NotEmpty(_kernel.Links);

        var routes = new FakeRouteTable();
        var hostgw = new HostGatewayMode(routes, _metrics, NullLogger<HostGatewayMode>.Instance);
        new PodRoutingController(hostgw, name => name == "vxlan" ? Vxlan() : null, record, NullLogger<PodRoutingController>.Instance)
            .Reconcile(new SyncContext(Topology(2, 3), routes.ListLocalPrefixes(), Full: true));

        Assert.Empty(_kernel.Links);
        Assert.Empty(_kernel.Routes);
        Assert.Empty(_kernel.Fdb);
        Assert.Null(_kernel.Firewall);
        Assert.Equal(2, routes.Installed.Count);
        Assert.Equal("hostgw", record.Read());
    }

    [Fact]
    public void Switching_from_hostgw_to_auto_removes_hostgw_routes_before_auto_installs_its_own()
    {
        var record = new RoutingModeRecord(Path.Combine(_dir, "routing-mode"));
        record.Write("hostgw");
        var hostgwRemoved = false;
        var hostgw = new HostGatewayMode(new FakeRouteTable(), _metrics, NullLogger<HostGatewayMode>.Instance);
        new PodRoutingController(Auto(), name =>
        {
            hostgwRemoved = name == "hostgw";
            Assert.Empty(_kernel.Links);
            return hostgw;
        }, record, NullLogger<PodRoutingController>.Instance).Reconcile(Sync(2, 3));

        Assert.True(hostgwRemoved);
        Assert.Contains("cniv6.vx6", _kernel.Links.Keys);
        Assert.Equal("auto", record.Read());
    }

    [Fact]
    public void A_restart_in_the_same_mode_adopts_the_tunnel_without_touching_it()
    {
        var record = new RoutingModeRecord(Path.Combine(_dir, "routing-mode"));
        new PodRoutingController(Auto(), _ => null, record, NullLogger<PodRoutingController>.Instance).Reconcile(Sync(2, 3));
        _kernel.Journal.Clear();

        new PodRoutingController(Auto(), _ => throw new InvalidOperationException("nothing to remove"), record, NullLogger<PodRoutingController>.Instance)
            .Reconcile(Sync(2, 3));

        Assert.Equal(["firewall"], _kernel.Journal);
    }

    private ConflistController Conflist(AgentOptions options, IRoutingMode mode) =>
        new(options, mode, _metrics, NullLogger<ConflistController>.Instance);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
