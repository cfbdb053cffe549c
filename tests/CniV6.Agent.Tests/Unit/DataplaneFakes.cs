using System.Net;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Routing;
using CniV6.Agent.Dataplane.Routing.HostGateway;
using CniV6.Agent.Dataplane.Routing.Vxlan;
using CniV6.Agent.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CniV6.Agent.Tests.Unit;

/// <summary>The production composition (<see cref="DataplaneComposition.AddDataplane"/>) over fake kernel seams.</summary>
internal static class DataplaneHarness
{
    public static ServiceProvider Services(AgentOptions options, string dir, ClusterStateStore store, AgentHealth health, AgentMetrics metrics,
                                           FakeRouteTable routes, FakeMasquerade masquerade, FakeForwarding forwarding) =>
        new ServiceCollection()
            .AddLogging()
            // The reclaim pass reads IPAM stores: never the host's, always the test's own directory.
            .AddSingleton(options = options with { IpamDataDir = Path.Combine(dir, "ipam") })
            .AddSingleton(store)
            .AddSingleton(health)
            .AddSingleton(metrics)
            .AddSingleton(TimeProvider.System)
            .AddSingleton<ILocalPrefixReader>(routes)
            .AddSingleton<INodeRouteTable>(routes)
            .AddSingleton<IMasqueradeControl>(masquerade)
            .AddSingleton<IForwardingControl>(forwarding)
            .AddSingleton<IVxlanDataplane>(new Vxlan.FakeVxlanDataplane())
            .AddSingleton(new RoutingModeRecord(Path.Combine(dir, "run", "routing-mode")))
            .AddDataplane(options)
            .BuildServiceProvider();

    public static DataplaneReconciler Reconciler(AgentOptions options, string dir, ClusterStateStore store, AgentHealth health, AgentMetrics metrics,
                                                 FakeRouteTable routes, FakeMasquerade masquerade, FakeForwarding forwarding) =>
        Services(options, dir, store, health, metrics, routes, masquerade, forwarding).GetServices<IHostedService>().OfType<DataplaneReconciler>().Single();
}

/// <summary>A routing table holding only what cniv6 put there, on a node with one dual-stack uplink (MTU 1450).</summary>
internal sealed class FakeRouteTable : INodeRouteTable, ILocalPrefixReader
{
    public List<NodeRoute> Installed { get; } = [];

    public int Replaced { get; private set; }

    public int Deleted { get; private set; }

    public IReadOnlyList<LocalPrefix> ListLocalPrefixes() =>
    [
        LocalPrefix.Of(1, IPAddress.Parse("::1"), 128, 65536, "lo"),
        LocalPrefix.Of(2, IPAddress.Parse("fd00:a11::11"), 64, 1450, "uplink0"),
        LocalPrefix.Of(2, IPAddress.Parse("10.99.0.11"), 24, 1450, "uplink0"),
    ];

    /// <summary>Routes someone else owns (static routes, the default route): never listed as owned.</summary>
    public List<NodeRoute> Foreign { get; } = [];

    /// <summary>Destinations whose route the kernel refuses (as it refuses a gateway that is a local address).</summary>
    public HashSet<IPNetwork> Refuse { get; } = [];

    public int Added { get; private set; }

    public IReadOnlyList<NodeRoute> ListOwnedRoutes() => Installed.ToArray();

    public bool TryAdd(NodeRoute route)
    {
        if (Refuse.Contains(route.Destination))
        {
            throw new InvalidOperationException($"RTM_NEWROUTE {route}: Invalid argument");
        }

        if (Foreign.Any(r => r.Destination == route.Destination) || Installed.Any(r => r.Destination == route.Destination))
        {
            return false;
        }

        Installed.Add(route);
        Added++;
        return true;
    }

    public void Replace(NodeRoute route)
    {
        Installed.RemoveAll(r => r.Destination == route.Destination);
        Installed.Add(route);
        Replaced++;
    }

    public void Delete(NodeRoute route)
    {
        Installed.Remove(route);
        Deleted++;
    }
}

internal sealed class FakeMasquerade : IMasqueradeControl
{
    public string? Network { get; private set; }

    public IReadOnlyList<IPNetwork>? Pools { get; private set; }

    public IReadOnlyList<IPNetwork>? Excludes { get; private set; }

    public int Calls { get; private set; }

    public List<bool> Verified { get; } = [];

    public void Ensure(string networkName, IReadOnlyList<IPNetwork> pools, IReadOnlyList<IPNetwork> excludes, bool verify)
    {
        (Network, Pools, Excludes) = (networkName, pools, excludes);
        Verified.Add(verify);
        Calls++;
    }
}

internal sealed class FakeForwarding : IForwardingControl
{
    public (bool IPv6, bool IPv4) Enabled { get; private set; }

    /// <summary>What the next call reports as changed.</summary>
    public IReadOnlyList<string> Changes { get; set; } = [];

    public IReadOnlyList<string> Enable(bool ipv6, bool ipv4)
    {
        Enabled = (ipv6, ipv4);
        return Changes;
    }
}

/// <summary>A routing mode that records what it was asked to do.</summary>
internal sealed class FakeRoutingMode(string name, int overhead = 0) : IRoutingMode
{
    public string Name { get; } = name;

    public int Reconciled { get; private set; }

    public int Removed { get; private set; }

    public int PodMtuOverhead(SyncContext sync) => overhead;

    public void Reconcile(SyncContext sync) => Reconciled++;

    public void Remove() => Removed++;
}

/// <summary>A controller that appends its name to a shared journal and fails while <see cref="FailuresLeft"/> is positive.</summary>
internal sealed class JournalingController(string name, List<string> journal) : IDataplaneController
{
    public string Name { get; } = name;

    public int FailuresLeft { get; set; }

    public List<SyncContext> Seen { get; } = [];

    public void Reconcile(SyncContext sync)
    {
        lock (journal)
        {
            journal.Add(Name);
        }

        Seen.Add(sync);
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            throw new InvalidOperationException($"{Name} failed on purpose");
        }
    }
}

internal static class Syncs
{
    public static SyncContext Of(ClusterState state, bool full = true, FakeRouteTable? links = null) =>
        new(state, (links ?? new FakeRouteTable()).ListLocalPrefixes(), full);
}
