using System.Collections.Concurrent;
using System.Net;
using CniV6.Core.Ipam;

namespace CniV6.UnitTests.Ipam;

public sealed class IpamStoreConcurrencyTests : IDisposable
{
    private const string Network = "podnet";
    private readonly TempStoreDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Eight_threads_with_their_own_lock_never_share_an_address()
    {
        const int Threads = 8;
        const int PerThread = 25;
        IPNetwork[] pools = [IPNetwork.Parse("fd00:10::/112"), IPNetwork.Parse("10.244.0.0/24")];
        var results = new ConcurrentBag<Allocation>();
        using var start = new Barrier(Threads);

        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < PerThread; i++)
            {
                // Each Open takes a new flock on its own open file description, exactly like separate plugin processes.
                using IpamStore store = IpamStore.Open(dir.Path, Network, TimeSpan.FromSeconds(60));
                results.Add(store.Allocate($"t{t}-c{i}", "eth0", pools, null));
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Equal(Threads * PerThread, results.Count);
        Assert.Equal(Threads * PerThread, results.SelectMany(a => a.Addresses).Distinct().Count() / 2);
        using IpamStore reopened = IpamStore.Open(dir.Path, Network, TimeSpan.FromSeconds(5));
        Assert.Equal(
            results.Select(a => (a.ContainerId, string.Join(',', a.Addresses))).Order(),
            reopened.List().Select(a => (a.ContainerId, string.Join(',', a.Addresses))).Order());
    }

    [Fact]
    public void Eight_threads_churning_allocate_and_release_never_hold_one_address_twice()
    {
        const int Threads = 8;
        const int Rounds = 60;
        // 126 usable IPv6 and 62 IPv4 addresses for up to 8 × 6 live attachments: the cursors wrap round many times.
        IPNetwork[] pools = [IPNetwork.Parse("fd00:20::/121"), IPNetwork.Parse("10.245.0.0/26")];
        var holders = new ConcurrentDictionary<IPAddress, string>();
        var failures = new ConcurrentQueue<string>();
        using var start = new Barrier(Threads);

        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            var live = new List<string>();
            start.SignalAndWait();
            for (int i = 0; i < Rounds; i++)
            {
                if (live.Count < 6 && (live.Count == 0 || random.Next(3) > 0))
                {
                    string id = $"t{t}-c{i}";
                    using IpamStore store = IpamStore.Open(dir.Path, Network, TimeSpan.FromSeconds(60));
                    foreach (IPAddress address in store.Allocate(id, "eth0", pools, null).Addresses)
                    {
                        if (!holders.TryAdd(address, id))
                        {
                            failures.Enqueue($"{address} given to {id} while {holders[address]} holds it");
                        }
                    }

                    live.Add(id);
                }
                else
                {
                    string id = live[random.Next(live.Count)];
                    live.Remove(id);
                    using IpamStore store = IpamStore.Open(dir.Path, Network, TimeSpan.FromSeconds(60));
                    // Forget the holder before the store frees the address: until Release returns it is still claimed.
                    foreach (IPAddress address in store.Find(id, "eth0")!.Addresses)
                    {
                        holders.TryRemove(address, out _);
                    }

                    Assert.True(store.Release(id, "eth0"));
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Empty(failures);
        using IpamStore reopened = IpamStore.Open(dir.Path, Network, TimeSpan.FromSeconds(5));
        Assert.Equal(
            holders.Keys.Select(a => a.ToString()).Order(StringComparer.Ordinal),
            reopened.List().SelectMany(a => a.Addresses).Select(a => a.ToString()).Order(StringComparer.Ordinal));
        Assert.Empty(reopened.RemoveCrashResidue());
    }
}
