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
}
