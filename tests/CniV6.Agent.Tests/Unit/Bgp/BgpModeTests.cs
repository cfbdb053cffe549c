using System.Net;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Routing.Bgp;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.Unit.Bgp;

public sealed class BgpModeTests
{
    private static readonly IReadOnlyList<LocalPrefix> OneSegment = [LocalPrefix.Of(2, IPAddress.Parse("fd00:a11::11"), 64, 1500)];

    private readonly FakeBird _bird = new();
    private readonly FakeKernelRoutes _routes;

    public BgpModeTests() => _routes = new FakeKernelRoutes(() => _bird.Stopped);

    [Fact]
    public void Every_sync_hands_bird_the_configuration_of_that_state_and_no_encapsulation_overhead()
    {
        var mode = new BgpMode(new BgpOptions(), _bird, _routes, NullLogger<BgpMode>.Instance);
        var sync = new SyncContext(TestStates.Cluster(1, 1, 2), OneSegment, Full: false);

        mode.Reconcile(sync);
        mode.Reconcile(sync with { State = TestStates.Cluster(1, 1, 2, 3) });

        Assert.Equal(0, mode.PodMtuOverhead(sync));
        Assert.Equal("bgp", mode.Name);
        Assert.Equal(2, _bird.Applied.Count);
        var expected = BirdConfigRenderer.Render(TestStates.Cluster(1, 1, 2, 3), OneSegment, new BgpOptions());
        Assert.Equal(expected.Text, _bird.Applied[^1].Text);
        Assert.Equal(expected.Sessions, _bird.Applied[^1].Sessions);
        Assert.Contains("fd00:10:244:3::/64", _bird.Applied[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bird_that_cannot_be_configured_fails_the_sync_so_the_node_is_not_ready()
    {
        _bird.Failure = new BirdControlException("BIRD refused the configuration: 8002 syntax error");
        var mode = new BgpMode(new BgpOptions(), _bird, _routes, NullLogger<BgpMode>.Instance);

        Assert.Throws<BirdControlException>(() => mode.Reconcile(new SyncContext(TestStates.Cluster(1, 1, 2), OneSegment, Full: false)));
    }

    [Fact]
    public void Remove_stops_bird_before_sweeping_its_kernel_routes()
    {
        var mode = new BgpMode(new BgpOptions(), _bird, _routes, NullLogger<BgpMode>.Instance);
        _routes.Installed.Add(IPNetwork.Parse("fd00:10:244:2::/64"));

        mode.Remove();

        Assert.True(_bird.Stopped);
        Assert.True(_routes.SweptAfterStop);
        Assert.Empty(_routes.Installed);
    }

    private sealed class FakeBird : IBirdDaemon
    {
        public List<BirdConfig> Applied { get; } = [];

        public Exception? Failure { get; set; }

        public bool Stopped { get; private set; }

        public void Apply(BirdConfig config)
        {
            if (Failure is not null)
            {
                throw Failure;
            }

            Applied.Add(config);
        }

        public void Stop() => Stopped = true;
    }

    private sealed class FakeKernelRoutes(Func<bool> birdStopped) : IBgpKernelRoutes
    {
        public List<IPNetwork> Installed { get; } = [];

        public bool SweptAfterStop { get; private set; }

        public IReadOnlyList<IPNetwork> ListInstalled() => [.. Installed];

        public void DeleteInstalled()
        {
            SweptAfterStop = birdStopped();
            Installed.Clear();
        }
    }
}
