using System.Text.Json;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Health;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.Unit;

public sealed class DataplaneReconcilerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6a-reconciler-").FullName;
    private readonly FakeRouteTable _routes = new();
    private readonly FakeMasquerade _masquerade = new();
    private readonly FakeForwarding _forwarding = new();
    private readonly ClusterStateStore _store = new();
    private readonly AgentHealth _health = new(TimeProvider.System);
    private readonly AgentMetrics _metrics = new();

    private DataplaneReconciler Reconciler(AgentOptions? options = null) =>
        DataplaneHarness.Reconciler(options ?? new AgentOptions { NodeName = "n1", RoutingMode = "hostgw", CniConfDir = Path.Combine(_dir, "net.d"), CniBinDir = Path.Combine(_dir, "bin") },
                                    _dir, _store, _health, _metrics, _routes, _masquerade, _forwarding);

    [Fact]
    public void First_sync_writes_the_conflist_routes_nat_and_forwarding_then_reports_ready()
    {
        var state = TestStates.Cluster(1, 1, 2, 3);
        _store.Publish(state, TimeProvider.System);

        Reconciler().Sync(state);

        Assert.True(_health.IsReady);
        Assert.Equal((true, true), _forwarding.Enabled);
        Assert.Equal(4, _routes.Installed.Count);
        Assert.Equal("cniv6", _masquerade.Network);
        Assert.Equal(state.LocalPools, _masquerade.Pools);
        Assert.Equal(6, _masquerade.Excludes!.Count);
        using var conflist = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_dir, "net.d", "10-cniv6.conflist")));
        Assert.Equal(1450, conflist.RootElement.GetProperty("plugins")[0].GetProperty("mtu").GetInt32());
    }

    [Fact]
    public void A_node_leaving_removes_its_routes_and_leaves_foreign_ones_alone()
    {
        var reconciler = Reconciler();
        reconciler.Sync(TestStates.Cluster(1, 1, 2, 3));

        reconciler.Sync(TestStates.Cluster(1, 1, 2));

        Assert.Equal(2, _routes.Installed.Count);
        Assert.All(_routes.Installed, r => Assert.Contains(r.Destination.ToString(), new[] { "fd00:10:244:2::/64", "10.244.2.0/24" }));
        Assert.Equal(2, _routes.Deleted);
    }

    [Fact]
    public void A_restarted_agent_changes_nothing_that_is_already_right()
    {
        Reconciler().Sync(TestStates.Cluster(1, 1, 2, 3));
        var changedBefore = (_routes.Replaced, _routes.Added);

        Reconciler().Sync(TestStates.Cluster(1, 1, 2, 3));

        Assert.Equal(changedBefore, (_routes.Replaced, _routes.Added));
        Assert.Equal(0, _routes.Deleted);
    }

    [Fact]
    public void Installs_the_plugin_from_the_configured_source()
    {
        var source = Path.Combine(_dir, "cniv6-new");
        File.WriteAllBytes(source, [0x7f, (byte)'E', (byte)'L', (byte)'F']);

        Reconciler(new AgentOptions { NodeName = "n1", RoutingMode = "hostgw", CniConfDir = Path.Combine(_dir, "net.d"), CniBinDir = Path.Combine(_dir, "bin"), PluginSource = source })
            .Sync(TestStates.Cluster(1, 1));

        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(Path.Combine(_dir, "bin", "cniv6")));
    }

    [Fact]
    public void Between_resyncs_iptables_runs_only_when_the_exclusions_change()
    {
        var reconciler = Reconciler();
        reconciler.Sync(TestStates.Cluster(1, 1, 2), full: true);
        reconciler.Sync(TestStates.Cluster(1, 1, 2), full: false);
        Assert.Equal(1, _masquerade.Calls);

        reconciler.Sync(TestStates.Cluster(1, 1, 2, 3), full: false);
        Assert.Equal(2, _masquerade.Calls);

        reconciler.Sync(TestStates.Cluster(1, 1, 2, 3), full: true);
        Assert.Equal(3, _masquerade.Calls);
    }

    [Fact]
    public async Task Start_up_completes_only_after_the_first_sync()
    {
        _store.Publish(TestStates.Cluster(1, 1, 2), TimeProvider.System);
        using var reconciler = Reconciler();

        await reconciler.StartAsync(CancellationToken.None);

        Assert.True(_health.IsReady);
        Assert.True(File.Exists(Path.Combine(_dir, "net.d", "10-cniv6.conflist")));
        await reconciler.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Start_up_gives_up_waiting_when_there_is_no_cluster_state()
    {
        var options = new AgentOptions { NodeName = "n1", RoutingMode = "hostgw", CniConfDir = Path.Combine(_dir, "net.d") };
        using var reconciler = new DataplaneReconciler(
            options, Reconciler(options).Controllers, _routes, new PeerScreen(_metrics, new NoClusterEvents(), NullLogger<PeerScreen>.Instance), _store, _health, _metrics, TimeProvider.System, NullLogger<DataplaneReconciler>.Instance)
        {
            StartupWait = TimeSpan.FromMilliseconds(200),
        };

        await reconciler.StartAsync(CancellationToken.None);

        Assert.False(_health.IsReady);
        await reconciler.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void Masquerade_is_left_alone_when_ip_masq_is_off()
    {
        Reconciler(new AgentOptions { NodeName = "n1", RoutingMode = "hostgw", CniConfDir = Path.Combine(_dir, "net.d"), IpMasq = false }).Sync(TestStates.Cluster(1, 1));

        Assert.Null(_masquerade.Network);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
