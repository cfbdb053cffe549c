using System.Net;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Controllers;
using CniV6.Agent.Health;
using CniV6.Core.Ipam;
using CniV6.Core.Pod;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.Unit;

/// <summary>
/// The agent's IPAM reclaim over a real store in a temp directory, with pod namespaces as files there and the host's
/// links faked: only an allocation whose namespace path is provably gone, whose host veth is gone and which is older
/// than the grace period is released.
/// </summary>
public sealed class IpamReclaimTests : IDisposable
{
    private static readonly IReadOnlyList<IPNetwork> Pools = [IPNetwork.Parse("fd00:10:244:1::/64"), IPNetwork.Parse("10.244.1.0/24")];

    private readonly string _dir = Directory.CreateTempSubdirectory("cv6d-reclaim-").FullName;
    private readonly AgentMetrics _metrics = new();
    private readonly ShiftedTime _time = new();
    private readonly HashSet<string> _hostLinks = [];

    private string DataDir => Path.Combine(_dir, "ipam");

    private string NetnsDir => Path.Combine(_dir, "netns");

    private IpamReclaimController Controller(TimeSpan? grace = null) =>
        new(new AgentOptions { NodeName = "n1", IpamDataDir = DataDir, IpamReclaimGrace = grace ?? TimeSpan.FromSeconds(60) },
            _metrics, _time, NullLogger<IpamReclaimController>.Instance, () => _hostLinks);

    private static SyncContext Sync(bool full) => new(TestStates.Cluster(1, 1), [], full);

    /// <summary>An ADD as the plugin does it: the namespace file exists, the store records its path, the veth exists.</summary>
    private string Add(string containerId, string network = "cniv6")
    {
        Directory.CreateDirectory(NetnsDir);
        var netns = Path.Combine(NetnsDir, containerId);
        File.WriteAllText(netns, "");
        using (var store = IpamStore.Open(DataDir, network, TimeSpan.FromSeconds(5)))
        {
            store.Allocate(containerId, "eth0", Pools, netns);
        }

        _hostLinks.Add(HostVethName.For(containerId, "eth0"));
        return netns;
    }

    /// <summary>What a runtime crash leaves: the namespace is gone, and its veth went with it; no DEL.</summary>
    private void Vanish(string containerId)
    {
        File.Delete(Path.Combine(NetnsDir, containerId));
        _hostLinks.Remove(HostVethName.For(containerId, "eth0"));
    }

    private string[] Allocated(string network = "cniv6")
    {
        using var store = IpamStore.Open(DataDir, network, TimeSpan.FromSeconds(5));
        return [.. store.List().Select(a => a.ContainerId).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void An_allocation_whose_namespace_and_veth_are_gone_is_released_after_the_grace_period_in_every_network()
    {
        Add("gone");
        Add("live");
        Add("gone2", network: "secondary");
        Vanish("gone");
        Vanish("gone2");
        _time.Advance(TimeSpan.FromSeconds(61));

        Controller().Reconcile(Sync(full: false));

        Assert.Equal(["live"], Allocated());
        Assert.Empty(Allocated("secondary"));
        Assert.Contains("cniv6_agent_ipam_reclaimed_total 2\n", _metrics.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_fresh_allocation_inside_the_grace_period_is_untouched()
    {
        Add("young");
        Vanish("young");
        _time.Advance(TimeSpan.FromSeconds(59));

        Controller().Reconcile(Sync(full: true));

        Assert.Equal(["young"], Allocated());
    }

    [Fact]
    public void An_attachment_whose_add_holds_the_plugins_attachment_lock_is_kept()
    {
        // The plugin's lock directory is the node's (/run/cniv6/attachments); a unique container id keeps this apart.
        var containerId = $"cv6d-inflight-{Guid.NewGuid():N}";
        Add(containerId);
        Vanish(containerId);
        _time.Advance(TimeSpan.FromMinutes(10));
        var locks = new AttachmentLocks(AttachmentLocks.DefaultDirectory);
        try
        {
            using (locks.Hold("cniv6", containerId, "eth0", TimeSpan.FromSeconds(5)))
            {
                Controller().Reconcile(Sync(full: true));
                Assert.Equal([containerId], Allocated());
            }

            Controller().Reconcile(Sync(full: true));
            Assert.Empty(Allocated());
        }
        finally
        {
            File.Delete(Path.Combine(AttachmentLocks.DefaultDirectory, $"cniv6={containerId}=eth0"));
        }
    }

    [Fact]
    public void An_allocation_whose_host_veth_still_exists_is_kept()
    {
        Add("veth-left");
        File.Delete(Path.Combine(NetnsDir, "veth-left"));
        _time.Advance(TimeSpan.FromMinutes(10));

        Controller().Reconcile(Sync(full: true));

        Assert.Equal(["veth-left"], Allocated());
    }

    [Fact]
    public void An_allocation_whose_namespace_cannot_be_judged_is_kept()
    {
        // The namespace's directory is not visible to the agent (not mounted in, another pid namespace's /proc):
        // absence proves nothing there.
        using (var store = IpamStore.Open(DataDir, "cniv6", TimeSpan.FromSeconds(5)))
        {
            store.Allocate("unseen", "eth0", Pools, Path.Combine(_dir, "not-mounted", "cni-1234"));
            store.Allocate("proc", "eth1", Pools, "/proc/2147483000/ns/net");
            store.Allocate("relative", "eth2", Pools, "netns/x");
            store.Allocate("none", "eth3", Pools, null);
        }

        _time.Advance(TimeSpan.FromMinutes(10));
        Controller().Reconcile(Sync(full: true));

        Assert.Equal(["none", "proc", "relative", "unseen"], Allocated());
    }

    [Fact]
    public void Runs_at_start_and_on_full_resyncs_only()
    {
        var controller = Controller(grace: TimeSpan.Zero);
        controller.Reconcile(Sync(full: false));
        Add("later");
        Vanish("later");

        controller.Reconcile(Sync(full: false));
        Assert.Equal(["later"], Allocated());

        controller.Reconcile(Sync(full: true));
        Assert.Empty(Allocated());
    }

    [Fact]
    public void Claims_a_killed_plugin_left_without_a_record_are_freed_and_live_ones_kept()
    {
        Add("live");
        Add("killed");
        // A plugin killed in DEL after removing the record, before the claims: nobody holds these addresses now.
        File.Delete(Path.Combine(DataDir, "cniv6", "attachments", "killed=eth0"));
        var claims = Path.Combine(DataDir, "cniv6", "addresses");
        Assert.Equal(4, Directory.GetFiles(claims).Length);

        Controller().Reconcile(Sync(full: true));

        Assert.Equal(2, Directory.GetFiles(claims).Length);
        Assert.All(Directory.GetFiles(claims), claim => Assert.Equal("live=eth0\n", File.ReadAllText(claim)));
        Assert.Equal(["live"], Allocated());
    }

    [Fact]
    public void An_unreadable_store_is_logged_and_counted_and_never_fails_the_sync()
    {
        Add("ok");
        Directory.CreateDirectory(Path.Combine(DataDir, "broken"));
        File.WriteAllText(Path.Combine(DataDir, "broken", "state.json"), "{ not json");

        Controller().Reconcile(Sync(full: true));

        Assert.Contains("cniv6_agent_ipam_reclaim_failures_total 1\n", _metrics.Render(), StringComparison.Ordinal);
        Assert.Equal(["ok"], Allocated());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The wall clock moved forward on demand (the store stamps allocations with the real time).</summary>
    private sealed class ShiftedTime : TimeProvider
    {
        private TimeSpan _shift;

        public void Advance(TimeSpan by) => _shift += by;

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _shift;
    }
}
