using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using CniV6.E2ETests.Infrastructure;
using Xunit.Abstractions;

namespace CniV6.E2ETests.Reliability;

/// <summary>
/// Parallel churn through libcni: 8 workers run 500 ADD/DEL cycles in all against one node. Zero errors, no address
/// ever held by two pods alive at the same time, and nothing left over afterwards.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ChurnTests(ITestOutputHelper output)
{
    private const int Workers = 8;
    private const int Cycles = 500;
    private static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(12);

    /// <summary>One pod's life: the addresses it surely held, from ADD's return until DEL was called.</summary>
    private sealed record Lifetime(string ContainerId, IReadOnlyList<IPAddress> Addresses, long BornTicks, long DiedTicks);

    [Fact]
    public void Eight_workers_500_add_del_cycles_no_errors_no_duplicates_no_leftovers()
    {
        using var node = new E2ENode();
        // 30 IPv4 addresses for 8 concurrent pods: addresses are reused all the time, which is where double
        // assignment would show.
        JsonObject plugin = ConfLists.CniV6(node, Pools.IPv6, "10.244.0.0/27");
        string conflist = node.WriteConfig(ConfLists.List(NodeTraces.NetworkName, "1.0.0", plugin));
        var lifetimes = new ConcurrentBag<Lifetime>();
        var errors = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        int next = -1;

        var threads = Enumerable.Range(0, Workers).Select(_ => new Thread(() =>
        {
            int cycle;
            while ((cycle = Interlocked.Increment(ref next)) < Cycles && clock.Elapsed < TimeLimit)
            {
                using var pod = new PodSandbox();
                DriverOutcome add = node.Add(conflist, pod);
                long born = clock.ElapsedTicks;
                if (!add.Succeeded)
                {
                    errors.Enqueue($"ADD #{cycle}: {add.Explain()}");
                    node.Del(conflist, pod);
                    continue;
                }

                var addresses = add.ResultAddresses().Select(a => a.Address).ToList();
                long died = clock.ElapsedTicks;
                DriverOutcome del = node.Del(conflist, pod);
                if (!del.Succeeded)
                {
                    errors.Enqueue($"DEL #{cycle}: {del.Explain()}");
                }

                lifetimes.Add(new Lifetime(pod.ContainerId, addresses, born, died));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        clock.Stop();

        output.WriteLine($"{lifetimes.Count} cycles by {Workers} workers in {clock.Elapsed.TotalSeconds:F1} s " +
            $"({lifetimes.Count / clock.Elapsed.TotalSeconds:F1} cycles/s), {errors.Count} errors");
        Assert.True(errors.IsEmpty, string.Join("\n", errors.Take(5)));
        Assert.Equal(Cycles, lifetimes.Count);
        Assert.Empty(OverlappingHolders(lifetimes));
        Assert.Empty(NodeTraces.Find(node));
        NodeTraces.AssertNoVethOnceNamespacesAreGone(node);
        // Tests run one at a time, so any pod namespace still listed is one this test leaked.
        Assert.DoesNotContain(NetworkNamespace.Prefix + "pod-", ProcessRunner.RunChecked("ip", "netns", "list"), StringComparison.Ordinal);
    }

    /// <summary>Pairs of pods that held the same address while both were alive.</summary>
    private static List<string> OverlappingHolders(IEnumerable<Lifetime> lifetimes)
    {
        var clashes = new List<string>();
        foreach (var byAddress in lifetimes.SelectMany(l => l.Addresses.Select(a => (Address: a, Life: l))).GroupBy(x => x.Address))
        {
            // Sorted by birth: a clash is a pod born before the longest-lived earlier holder died.
            Lifetime? latest = null;
            foreach (Lifetime life in byAddress.Select(x => x.Life).OrderBy(l => l.BornTicks))
            {
                if (latest is not null && life.BornTicks < latest.DiedTicks)
                {
                    clashes.Add($"{byAddress.Key}: {latest.ContainerId} and {life.ContainerId}");
                }

                if (latest is null || life.DiedTicks > latest.DiedTicks)
                {
                    latest = life;
                }
            }
        }

        return clashes;
    }
}
