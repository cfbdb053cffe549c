using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Health;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.Unit;

/// <summary>The reconciler as a shell: ordering, stop-at-failure, retry with back-off, readiness — with fake controllers.</summary>
public sealed class DataplaneShellTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6r-shell-").FullName;
    private readonly List<string> _journal = [];
    private readonly ClusterStateStore _store = new();
    private readonly AgentHealth _health = new(TimeProvider.System);
    private readonly AgentMetrics _metrics = new();

    private DataplaneReconciler Shell(TimeSpan? resync = null, params IDataplaneController[] controllers) => new(
        new AgentOptions { NodeName = "n1", ResyncInterval = resync ?? TimeSpan.FromMinutes(5) },
        controllers, new FakeRouteTable(), new PeerScreen(_metrics, new NoClusterEvents(), NullLogger<PeerScreen>.Instance), _store, _health, _metrics,
        TimeProvider.System, NullLogger<DataplaneReconciler>.Instance)
    {
        StartupWait = TimeSpan.FromSeconds(10),
    };

    private JournalingController Controller(string name) => new(name, _journal);

    [Fact]
    public void Runs_every_controller_in_order_then_reports_ready()
    {
        var shell = Shell(null, Controller("a"), Controller("b"), Controller("c"));

        shell.Sync(TestStates.Cluster(1, 1, 2));

        Assert.Equal(["a", "b", "c"], _journal);
        Assert.True(_health.IsReady);
    }

    [Fact]
    public void A_failing_controller_ends_the_pass_names_itself_and_leaves_the_node_unready()
    {
        var failing = Controller("b");
        failing.FailuresLeft = 1;
        var shell = Shell(null, Controller("a"), failing, Controller("c"));

        var error = Assert.Throws<DataplaneSyncException>(() => shell.Sync(TestStates.Cluster(1, 1, 2)));

        Assert.Equal("b", error.Controller);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal(["a", "b"], _journal);
        Assert.False(_health.IsReady);

        shell.Sync(TestStates.Cluster(1, 1, 2));
        Assert.Equal(["a", "b", "a", "b", "c"], _journal);
        Assert.True(_health.IsReady);
    }

    [Fact]
    public void Every_controller_sees_the_same_state_and_this_nodes_links()
    {
        var (first, second) = (Controller("a"), Controller("b"));
        var state = TestStates.Cluster(1, 1, 2);

        Shell(null, first, second).Sync(state, full: false);

        Assert.Same(first.Seen.Single(), second.Seen.Single());
        Assert.Same(state, first.Seen[0].State);
        Assert.False(first.Seen[0].Full);
        Assert.Equal(new FakeRouteTable().ListLocalPrefixes(), first.Seen[0].LocalPrefixes);
    }

    [Fact]
    public async Task The_loop_retries_a_failed_sync_with_back_off_as_a_full_pass_until_it_succeeds()
    {
        var flaky = Controller("flaky");
        flaky.FailuresLeft = 2;
        var after = Controller("after");
        _store.Publish(TestStates.Cluster(1, 1, 2), TimeProvider.System);
        using var shell = Shell(null, flaky, after);
        var started = DateTime.UtcNow;

        await shell.StartAsync(CancellationToken.None);

        Assert.True(_health.IsReady);
        Assert.Equal([false, true, true], flaky.Seen.Select(s => s.Full));
        Assert.Single(after.Seen);
        // Back-off starts at 200 ms (jitter 0.8–1.0) and doubles: two retries take at least 160 + 320 ms.
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(480), $"retried after {DateTime.UtcNow - started}");
        Assert.Contains("cniv6_agent_sync_failures_total 2\n", _metrics.Render(), StringComparison.Ordinal);
        await shell.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Each_resync_interval_runs_a_full_pass_without_any_change()
    {
        var controller = Controller("a");
        _store.Publish(TestStates.Cluster(1, 1, 2), TimeProvider.System);
        using var shell = Shell(TimeSpan.FromMilliseconds(100), controller);

        await shell.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (controller.Seen.Count < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await shell.StopAsync(CancellationToken.None);
        Assert.False(controller.Seen[0].Full);
        Assert.All(controller.Seen.Skip(1), s => Assert.True(s.Full));
        Assert.True(controller.Seen.Count >= 3);
    }

    [Fact]
    public void The_agent_syncs_plugin_forwarding_conflist_routing_masquerade_then_reclaims_ipam()
    {
        var options = new AgentOptions { NodeName = "n1", RoutingMode = "hostgw", CniConfDir = Path.Combine(_dir, "net.d") };
        var reconciler = DataplaneHarness.Reconciler(options, _dir, _store, _health, _metrics, new FakeRouteTable(), new FakeMasquerade(), new FakeForwarding());

        Assert.Equal(["plugin", "forwarding", "conflist", "routing", "masquerade", "ipam-reclaim"], reconciler.Controllers.Select(c => c.Name));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
