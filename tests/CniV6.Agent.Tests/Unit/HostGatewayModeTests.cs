using System.Net;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Routing;
using CniV6.Agent.Dataplane.Routing.HostGateway;
using CniV6.Agent.Dataplane.Routing.Vxlan;
using CniV6.Agent.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.Unit;

public sealed class HostGatewayModeTests
{
    private readonly FakeRouteTable _routes = new();
    private readonly AgentMetrics _metrics = new();

    private HostGatewayMode Mode() => new(_routes, _metrics, NullLogger<HostGatewayMode>.Instance);

    [Fact]
    public void Routes_peers_via_their_addresses_and_needs_no_mtu_overhead()
    {
        var sync = Syncs.Of(TestStates.Cluster(1, 1, 2));

        Mode().Reconcile(sync);

        Assert.Equal(0, Mode().PodMtuOverhead(sync));
        Assert.Equal(
            [new NodeRoute(IPNetwork.Parse("fd00:10:244:2::/64"), IPAddress.Parse("fd00:a11::12"), 2), new NodeRoute(IPNetwork.Parse("10.244.2.0/24"), IPAddress.Parse("10.99.0.12"), 2)],
            _routes.Installed);
        Assert.Contains("cniv6_agent_routes 2\n", _metrics.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Remove_deletes_every_route_it_owns_whatever_the_state()
    {
        Mode().Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2, 3)));

        Mode().Remove();

        Assert.Empty(_routes.Installed);
        Assert.Equal(4, _routes.Deleted);
        Assert.Equal(4, _routes.Added);
        Assert.Contains("cniv6_agent_routes 0\n", _metrics.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Hostgw_vxlan_and_auto_are_registered_auto_is_the_default_and_each_is_built_from_the_agents_services()
    {
        using var services = new ServiceCollection().AddLogging().AddSingleton(_metrics).AddSingleton<INodeRouteTable>(_routes)
            .AddSingleton<IVxlanDataplane>(new Vxlan.FakeVxlanDataplane()).AddSingleton(new VxlanOptions()).BuildServiceProvider();

        Assert.Equal(["auto", "bgp", "hostgw", "vxlan"], RoutingModes.Names);
        Assert.Equal("auto", RoutingModes.Default);
        Assert.IsType<HostGatewayMode>(RoutingModes.TryCreate("hostgw", services));
        Assert.IsType<VxlanMode>(RoutingModes.TryCreate("vxlan", services));
        Assert.IsType<AutoMode>(RoutingModes.TryCreate("auto", services));
        Assert.Null(RoutingModes.TryCreate("ebpf", services));
        Assert.False(RoutingModes.IsKnown("HostGW"));
    }

    [Fact]
    public void The_composed_agent_runs_the_configured_mode()
    {
        var options = new AgentOptions { NodeName = "n1", RoutingMode = "hostgw" };
        var dir = Directory.CreateTempSubdirectory("cv6r-mode-").FullName;
        try
        {
            using var services = DataplaneHarness.Services(options, dir, new ClusterStateStore(), new AgentHealth(TimeProvider.System), _metrics,
                                                           _routes, new FakeMasquerade(), new FakeForwarding());

            Assert.IsType<HostGatewayMode>(services.GetRequiredService<IRoutingMode>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
