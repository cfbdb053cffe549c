using System.Net;
using System.Text.Json;
using CniV6.Core.Ipam;
using CniV6.Netlink;

namespace CniV6.UnitTests.Ipam;

/// <summary>A node upgraded with a version 1 state.json keeps every allocation, also when the conversion is cut short.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class IpamStoreMigrationTests : IDisposable
{
    private const string Network = "podnet";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(5);
    private static readonly IPNetwork V6 = IPNetwork.Parse("fd00:10::/112");
    private static readonly IPNetwork V4 = IPNetwork.Parse("10.244.0.0/24");
    private readonly TempStoreDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_version_1_state_file_is_converted_on_first_open_with_every_field()
    {
        WriteVersion1(count: 3, lastV6: 7, lastV4: 3);

        using (IpamStore store = Open())
        {
            IReadOnlyList<Allocation> all = store.List();
            Assert.Equal(["c1", "c2", "c3"], all.Select(a => a.ContainerId));
            Allocation c2 = store.Find("c2", "eth0")!;
            Assert.Equal([Cidr.AddressAt(V6, 2), Cidr.AddressAt(V4, 2)], c2.Addresses);
            Assert.Equal("/var/run/netns/p2", c2.NetNs);
            Assert.Equal(new PodReference("default", "web-2"), c2.Pod);
            Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(2), c2.Created);
            // The cursors came along: next-fit continues after ::7 and .3, not at the first free address.
            Assert.Equal([Cidr.AddressAt(V6, 8), Cidr.AddressAt(V4, 4)], store.Allocate("new", "eth0", [V6, V4], null).Addresses);
        }

        using JsonDocument state = JsonDocument.Parse(File.ReadAllBytes(dir.StatePath(Network)));
        Assert.Equal(2, state.RootElement.GetProperty("version").GetInt32());
        Assert.False(state.RootElement.TryGetProperty("allocations", out _));
        Assert.Equal("c1=eth0\n", File.ReadAllText(dir.ClaimPath(Network, "fd00:10::1")));
        using IpamStore again = Open();
        Assert.Equal(4, again.List().Count);
    }

    [Fact]
    public void A_conversion_cut_short_is_repeated_and_completes()
    {
        WriteVersion1(count: 3, lastV6: 3, lastV4: 3);
        byte[] version1 = File.ReadAllBytes(dir.StatePath(Network));
        using (Open())
        {
        }

        // Killed before state.json became version 2: some records written, claims present, state.json still version 1.
        File.Delete(dir.RecordPath(Network, "c3", "eth0"));
        File.Delete(dir.ClaimPath(Network, "10.244.0.3"));
        File.WriteAllBytes(dir.StatePath(Network), version1);

        using IpamStore store = Open();
        Assert.Equal(["c1", "c2", "c3"], store.List().Select(a => a.ContainerId));
        Assert.True(File.Exists(dir.ClaimPath(Network, "10.244.0.3")));
        Assert.Empty(store.RemoveCrashResidue());
    }

    [Fact]
    public void A_claim_that_contradicts_the_version_1_file_stops_the_conversion_and_keeps_the_file()
    {
        WriteVersion1(count: 2, lastV6: 2, lastV4: 2);
        byte[] version1 = File.ReadAllBytes(dir.StatePath(Network));
        Directory.CreateDirectory(Path.Combine(dir.NetworkDirectory(Network), "addresses"));
        File.WriteAllText(dir.ClaimPath(Network, "fd00:10::2"), "someone=eth0\n");

        IpamStoreCorruptException e = Assert.Throws<IpamStoreCorruptException>(Open);
        Assert.Equal(dir.ClaimPath(Network, "fd00:10::2"), e.Path);
        Assert.Equal(version1, File.ReadAllBytes(dir.StatePath(Network)));
    }

    [Fact]
    public void A_version_1_store_of_5000_allocations_converts_in_one_open()
    {
        WriteVersion1(count: 5000, lastV6: 5000, lastV4: 200);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using IpamStore store = Open();
        clock.Stop();
        Assert.Equal(5000, store.List().Count);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"took {clock.Elapsed}");
    }

    /// <summary>A state.json as version 1 wrote it: allocation i holds the i-th address of each pool (IPv4 for the first 250 only).</summary>
    private void WriteVersion1(int count, int lastV6, int lastV4)
    {
        var document = new IpamStateDocument
        {
            Version = IpamStateDocument.LegacyVersion,
            Network = Network,
            Pools =
            [
                new PoolCursorDocument { Pool = Cidr.Format(V4), Last = Cidr.AddressAt(V4, (UInt128)lastV4).ToString() },
                new PoolCursorDocument { Pool = Cidr.Format(V6), Last = Cidr.AddressAt(V6, (UInt128)lastV6).ToString() },
            ],
            Allocations = [.. Enumerable.Range(1, count).Select(i => new AllocationDocument
            {
                ContainerId = $"c{i}",
                IfName = "eth0",
                Addresses = i <= 250
                    ? [Cidr.AddressAt(V6, (UInt128)i).ToString(), Cidr.AddressAt(V4, (UInt128)i).ToString()]
                    : [Cidr.AddressAt(V6, (UInt128)i).ToString()],
                NetNs = $"/var/run/netns/p{i}",
                Created = DateTimeOffset.UnixEpoch.AddSeconds(i),
                PodNamespace = "default",
                PodName = $"web-{i}",
            })],
        };
        Directory.CreateDirectory(dir.NetworkDirectory(Network));
        File.SetUnixFileMode(dir.NetworkDirectory(Network), (UnixFileMode)0x1C0);
        File.WriteAllBytes(dir.StatePath(Network), JsonSerializer.SerializeToUtf8Bytes(document, IpamStateJsonContext.Default.IpamStateDocument));
    }

    private IpamStore Open() => IpamStore.Open(dir.Path, Network, LockTimeout, new SteppingTimeProvider());
}
