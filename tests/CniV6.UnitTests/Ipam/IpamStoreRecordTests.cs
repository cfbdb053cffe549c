using System.Net;
using CniV6.Core.Ipam;

namespace CniV6.UnitTests.Ipam;

/// <summary>
/// The record and claim files are distrusted like state.json: damage to one record is reported naming that file
/// and stops only what needs it; files that are not the store's are ignored and never removed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class IpamStoreRecordTests : IDisposable
{
    private const string Network = "podnet";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(5);
    private static readonly IPNetwork[] Pools = [IPNetwork.Parse("fd00:10::/120"), IPNetwork.Parse("10.244.0.0/24")];
    private readonly TempStoreDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData("garbage", "not a valid allocation record")]
    [InlineData("""{"containerId":"c1","ifName":"eth0","addresses":["fd00:10::1"]}""", "no creation time")]
    [InlineData("""{"containerId":"c1","ifName":"eth0","addresses":["fd00:10::1","fd00:10::1"],"created":"2026-01-01T00:00:00Z"}""", "assigned twice")]
    [InlineData("""{"containerId":"c1","ifName":"eth0","addresses":["fd00:10::1"],"created":"2026-01-01T00:00:00Z","extra":1}""", "not a valid allocation record")]
    [InlineData("""{"containerId":"c9","ifName":"eth0","addresses":["fd00:10::1"],"created":"2026-01-01T00:00:00Z"}""", "holds the allocation of c9/eth0, not of c1/eth0")]
    public void A_damaged_record_is_reported_for_its_attachment_and_other_pods_still_allocate(string content, string reason)
    {
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", Pools, null);
        }

        string record = dir.RecordPath(Network, "c1", "eth0");
        File.WriteAllText(record, content);

        using IpamStore reopened = Open();
        IpamStoreCorruptException e = Assert.Throws<IpamStoreCorruptException>(() => reopened.Find("c1", "eth0"));
        Assert.Equal(record, e.Path);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.Throws<IpamStoreCorruptException>(() => reopened.Release("c1", "eth0"));
        Assert.Throws<IpamStoreCorruptException>(() => reopened.List());
        Assert.Throws<IpamStoreCorruptException>(() => reopened.ReleaseAllExcept([]));
        // Its claims still keep its addresses out of use; other pods are served.
        Assert.Equal([IPAddress.Parse("fd00:10::2"), IPAddress.Parse("10.244.0.2")], reopened.Allocate("c2", "eth0", Pools, null).Addresses);
        Assert.Equal(content, File.ReadAllText(record));
    }

    [Fact]
    public void A_huge_record_is_refused_at_once_without_reading_it()
    {
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", Pools, null);
        }

        using (var huge = new FileStream(dir.RecordPath(Network, "c1", "eth0"), FileMode.Create))
        {
            huge.SetLength(1L << 30);
        }

        var timer = System.Diagnostics.Stopwatch.StartNew();
        using IpamStore reopened = Open();
        IpamStoreCorruptException e = Assert.Throws<IpamStoreCorruptException>(() => reopened.Find("c1", "eth0"));
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(2), $"took {timer.Elapsed}");
        Assert.Contains($"more than the {AllocationRecords.MaxRecordBytes} bytes", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlinked_record_is_refused_and_not_followed()
    {
        string elsewhere = Path.Combine(dir.Path, "elsewhere.json");
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", Pools, null);
        }

        File.Move(dir.RecordPath(Network, "c1", "eth0"), elsewhere);
        File.CreateSymbolicLink(dir.RecordPath(Network, "c1", "eth0"), elsewhere);

        using IpamStore reopened = Open();
        IpamStoreCorruptException e = Assert.Throws<IpamStoreCorruptException>(() => reopened.Allocate("c1", "eth0", Pools, null));
        Assert.Equal(dir.RecordPath(Network, "c1", "eth0"), e.Path);
        Assert.Contains("symbolic link", e.Reason, StringComparison.Ordinal);
        Assert.True(File.Exists(elsewhere));
    }

    [Fact]
    public void A_symlink_or_directory_where_a_claim_would_go_keeps_the_address_out_of_use_and_is_left_alone()
    {
        Directory.CreateDirectory(Path.Combine(dir.NetworkDirectory(Network), "addresses"));
        string target = Path.Combine(dir.Path, "target");
        File.WriteAllText(target, "untouched");
        File.CreateSymbolicLink(dir.ClaimPath(Network, "fd00:10::1"), target);
        Directory.CreateDirectory(dir.ClaimPath(Network, "fd00:10::2"));

        using IpamStore store = Open();
        Assert.Equal(IPAddress.Parse("fd00:10::3"), store.Allocate("c1", "eth0", Pools, null).Addresses[0]);
        Assert.Empty(store.RemoveCrashResidue());
        Assert.Equal("untouched", File.ReadAllText(target));
        Assert.True(Directory.Exists(dir.ClaimPath(Network, "fd00:10::2")));
    }

    [Fact]
    public void Unknown_files_in_the_store_are_not_allocations_and_are_never_removed()
    {
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", Pools, null);
        }

        string[] strangers =
        [
            Path.Combine(dir.NetworkDirectory(Network), "attachments", "README"),
            Path.Combine(dir.NetworkDirectory(Network), "attachments", "-bad=eth0"),
            Path.Combine(dir.NetworkDirectory(Network), "addresses", "notes.txt"),
            Path.Combine(dir.NetworkDirectory(Network), "addresses", "fd00:10:0::7"), // not the canonical spelling
            Path.Combine(dir.NetworkDirectory(Network), "other-file"),
        ];
        foreach (string stranger in strangers)
        {
            File.WriteAllText(stranger, "{}");
        }

        using (IpamStore store = Open())
        {
            Assert.Equal(["c1"], store.List().Select(a => a.ContainerId));
            Assert.Empty(store.RemoveCrashResidue());
            Assert.Single(store.ReleaseAllExcept([]));
            Assert.Equal((UInt128)255, store.FreeAddresses(Pools[0]));
        }

        Assert.All(strangers, stranger => Assert.True(File.Exists(stranger), stranger));
    }

    [Fact]
    public void A_symlinked_records_directory_is_refused()
    {
        Directory.CreateDirectory(dir.NetworkDirectory(Network));
        string real = Directory.CreateDirectory(Path.Combine(dir.Path, "real")).FullName;
        File.CreateSymbolicLink(Path.Combine(dir.NetworkDirectory(Network), "attachments"), real);

        IpamStoreCorruptException e = Assert.Throws<IpamStoreCorruptException>(Open);
        Assert.Contains("symbolic link", e.Reason, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(real));
    }

    [Fact]
    public void A_records_directory_others_may_write_is_refused()
    {
        using (Open())
        {
        }

        File.SetUnixFileMode(Path.Combine(dir.NetworkDirectory(Network), "addresses"), (UnixFileMode)0x1FF);
        IpamStoreCorruptException e = Assert.Throws<IpamStoreCorruptException>(Open);
        Assert.Contains("writable by group or others", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Release_never_removes_a_claim_another_attachment_holds()
    {
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", Pools, null);
            store.Allocate("c2", "eth0", Pools, null);
        }

        // c1's record edited to name c2's IPv6 address: releasing c1 must not free it.
        string record = dir.RecordPath(Network, "c1", "eth0");
        File.WriteAllText(record, File.ReadAllText(record).Replace("fd00:10::1", "fd00:10::2", StringComparison.Ordinal));
        using IpamStore reopened = Open();
        Assert.Throws<IpamStoreCorruptException>(() => reopened.List()); // two records name one address
        Assert.True(reopened.Release("c1", "eth0"));
        Assert.Equal("c2=eth0\n", File.ReadAllText(dir.ClaimPath(Network, "fd00:10::2")));
        Assert.Equal([IPAddress.Parse("fd00:10::1")], reopened.RemoveCrashResidue().Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6));
    }

    [Fact]
    public void Lookups_with_ids_that_are_no_file_name_find_nothing()
    {
        using IpamStore store = Open();
        store.Allocate("c1", "eth0", Pools, null);
        Assert.Null(store.Find("../c1", "eth0"));
        Assert.Null(store.Find("c1", "../eth0"));
        Assert.False(store.Release("c1=eth0", "x"));
    }

    private IpamStore Open() => IpamStore.Open(dir.Path, Network, LockTimeout, new SteppingTimeProvider());
}
