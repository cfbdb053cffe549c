using System.Diagnostics;
using System.Globalization;
using System.Net;
using CniV6.Core.Ipam;
using Xunit.Abstractions;

namespace CniV6.UnitTests.Ipam;

/// <summary>
/// Allocation cost at scale; the measured numbers go to the test output. What is asserted is the number of files an
/// operation reads and that it lists no directory, which does not depend on how loaded the machine is; the wall times
/// are reported for people (<c>CNIV6_IPAM_PERF_COUNT</c> changes the size of the long run).
/// </summary>
public sealed class IpamStorePerformanceTests(ITestOutputHelper output) : IDisposable
{
    private const int Count = 10_000;
    private const string Network = "perf";
    private static readonly IPNetwork Pool = IPNetwork.Parse("fd00:10::/112");
    private static readonly IPNetwork[] DualStack = [IPNetwork.Parse("fd00:20::/112"), IPNetwork.Parse("10.20.0.0/16")];
    private readonly TempStoreDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Next_fit_finds_10000_addresses_in_a_slash_112_without_scanning()
    {
        var used = new HashSet<IPAddress>();
        var cursor = new PoolCursor(Pool, UInt128.Zero);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Count; i++)
        {
            Assert.True(cursor.TryFindFree(used, out IPAddress address, out UInt128 offset));
            used.Add(address);
            cursor.MoveTo(offset);
        }

        clock.Stop();
        output.WriteLine($"next-fit in memory: {Count} allocations in {clock.Elapsed.TotalMilliseconds:F1} ms = {clock.Elapsed.TotalMicroseconds / Count:F2} µs each");
        Assert.Equal(Count, used.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Store_allocates_and_persists_many_addresses_in_a_slash_112()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("CNIV6_IPAM_PERF_COUNT"), CultureInfo.InvariantCulture, out int n) ? n : 2_000;
        using IpamStore store = IpamStore.Open(dir.Path, Network, TimeSpan.FromSeconds(5));
        var firstTenth = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            store.Allocate($"c{i}", "eth0", [Pool], null);
            if (i + 1 == count / 10)
            {
                firstTenth = clock.Elapsed;
            }
        }

        clock.Stop();
        output.WriteLine(
            $"store (claim + record + cursor, no fsync): {count} allocations in {clock.Elapsed.TotalSeconds:F2} s = " +
            $"{clock.Elapsed.TotalMicroseconds / count:F0} µs each; first {count / 10}: {firstTenth.TotalMicroseconds / (count / 10):F0} µs each");
        Assert.Equal(count, store.List().Select(a => a.Addresses[0]).Distinct().Count());
    }

    /// <summary>
    /// The plugin's ADD, CHECK and DEL (open, one operation, close) with 10 and with 5000 allocations present: the
    /// same number of files read and no directory listed, so the cost cannot grow with the pods on the node.
    /// </summary>
    [Fact]
    public void Add_check_and_del_read_the_same_files_with_10_and_5000_allocations_present()
    {
        const int Rounds = 200;
        var perCount = new Dictionary<int, (int Files, int Listings, double AddUs, double CheckUs, double DelUs)>();
        int created = 0;
        foreach (int present in new[] { 10, 5000 })
        {
            using (IpamStore store = IpamStore.Open(dir.Path, Network, TimeSpan.FromSeconds(5)))
            {
                for (; created < present; created++)
                {
                    store.Allocate($"p{created}", "eth0", DualStack, $"/var/run/netns/p{created}");
                }
            }

            StoreFiles.FilesOpenedOnThisThread = 0;
            StoreFiles.DirectoriesListedOnThisThread = 0;
            TimeSpan add = TimeSpan.Zero, check = TimeSpan.Zero, del = TimeSpan.Zero;
            for (int i = 0; i < Rounds; i++)
            {
                string id = $"n{present}-{i}";
                var clock = Stopwatch.StartNew();
                using (IpamStore store = IpamStore.Open(dir.Path, Network, TimeSpan.FromSeconds(5)))
                {
                    store.Allocate(id, "eth0", DualStack, "/var/run/netns/x");
                }

                add += clock.Elapsed;
                clock.Restart();
                using (IpamStore store = IpamStore.Open(dir.Path, Network, TimeSpan.FromSeconds(5)))
                {
                    Assert.NotNull(store.Find(id, "eth0"));
                }

                check += clock.Elapsed;
                clock.Restart();
                using (IpamStore store = IpamStore.Open(dir.Path, Network, TimeSpan.FromSeconds(5)))
                {
                    Assert.True(store.Release(id, "eth0"));
                }

                del += clock.Elapsed;
            }

            perCount[present] = (StoreFiles.FilesOpenedOnThisThread, StoreFiles.DirectoriesListedOnThisThread,
                add.TotalMicroseconds / Rounds, check.TotalMicroseconds / Rounds, del.TotalMicroseconds / Rounds);
            output.WriteLine(
                $"{present,5} allocations present: open+ADD+close {perCount[present].AddUs:F0} µs, open+CHECK+close {perCount[present].CheckUs:F0} µs, " +
                $"open+DEL+close {perCount[present].DelUs:F0} µs; files read per round {(double)perCount[present].Files / Rounds:F1}, directories listed {perCount[present].Listings}");
        }

        Assert.Equal(0, perCount[10].Listings);
        Assert.Equal(0, perCount[5000].Listings);
        Assert.Equal(perCount[10].Files, perCount[5000].Files);
        // state.json and the record per open (3 opens), plus the two claims DEL reads before removing them.
        Assert.True(perCount[5000].Files <= Rounds * 8, $"{perCount[5000].Files} files read in {Rounds} rounds");
    }
}
