using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using CniV6.Core.Ipam;
using Xunit.Abstractions;
using CniV6.Netlink;

namespace CniV6.UnitTests.Ipam;

/// <summary>
/// Allocation cost at scale; the measured numbers go to the test output. The end-to-end store run rewrites the
/// whole state file (fsync'd) on every allocation, so 10 000 of them take minutes on a loaded 2-core machine:
/// CI runs 1 000, <c>CNIV6_IPAM_PERF_COUNT=10000</c> runs the full measurement.
/// </summary>
public sealed class IpamStorePerformanceTests(ITestOutputHelper output) : IDisposable
{
    private const int Count = 10_000;
    private const string Network = "perf";
    private static readonly IPNetwork Pool = IPNetwork.Parse("fd00:10::/112");
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
        int count = int.TryParse(Environment.GetEnvironmentVariable("CNIV6_IPAM_PERF_COUNT"), CultureInfo.InvariantCulture, out int n) ? n : 1_000;
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
            $"store (state rewrite + fsync + rename + dir fsync each): {count} allocations in {clock.Elapsed.TotalSeconds:F2} s = " +
            $"{clock.Elapsed.TotalMilliseconds / count:F3} ms each; first {count / 10}: {firstTenth.TotalMilliseconds / (count / 10):F3} ms each");
        Assert.Equal(count, store.List().Select(a => a.Addresses[0]).Distinct().Count());
    }

    [Fact]
    public void Plugin_style_open_allocate_close_with_10000_allocations_present()
    {
        WriteStateWithAllocations(Count);

        const int Rounds = 10;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Rounds; i++)
        {
            using IpamStore store = IpamStore.Open(dir.Path, Network, TimeSpan.FromSeconds(5));
            Assert.Equal(Cidr.AddressAt(Pool, (UInt128)(Count + i + 1)), store.Allocate($"late{i}", "eth0", [Pool], null).Addresses.Single());
        }

        clock.Stop();
        output.WriteLine($"open + allocate + close with {Count} allocations present: {clock.Elapsed.TotalMilliseconds / Rounds:F1} ms each");
    }

    private void WriteStateWithAllocations(int count)
    {
        var document = new IpamStateDocument
        {
            Version = IpamStateDocument.CurrentVersion,
            Network = Network,
            Pools = [new PoolCursorDocument { Pool = Cidr.Format(Pool), Last = Cidr.AddressAt(Pool, (UInt128)count).ToString() }],
            Allocations = [.. Enumerable.Range(1, count).Select(i => new AllocationDocument
            {
                ContainerId = $"c{i}",
                IfName = "eth0",
                Addresses = [Cidr.AddressAt(Pool, (UInt128)i).ToString()],
                Created = DateTimeOffset.UnixEpoch.AddSeconds(i),
            })],
        };
        Directory.CreateDirectory(dir.NetworkDirectory(Network));
        File.WriteAllBytes(dir.StatePath(Network), JsonSerializer.SerializeToUtf8Bytes(document, IpamStateJsonContext.Default.IpamStateDocument));
    }
}
