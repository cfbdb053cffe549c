using System.Net;
using CniV6.Core.Ipam;

namespace CniV6.UnitTests.Ipam;

/// <summary>
/// The store's steps, each cut short the way a killed plugin leaves it on disk (Allocate: claims → record → cursor;
/// Release: record → claims), then retried: no address is ever held twice, the retried ADD gets its addresses back,
/// and what the crash left is removed by GC or <see cref="IpamStore.RemoveCrashResidue"/>.
/// </summary>
public sealed class IpamStoreCrashTests : IDisposable
{
    private const string Network = "podnet";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(5);
    private static readonly IPNetwork[] Pools = [IPNetwork.Parse("fd00:10::/120"), IPNetwork.Parse("10.244.0.0/24")];
    private readonly TempStoreDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Killed_after_claiming_before_the_record_the_retried_add_gets_the_claimed_addresses()
    {
        using (IpamStore store = Open())
        {
            store.Allocate("c0", "eth0", Pools, null);
        }

        // What Allocate("c1") leaves when killed after its claims: the claim files, no record, the cursor unmoved.
        File.WriteAllText(dir.ClaimPath(Network, "fd00:10::2"), "c1=eth0\n");
        File.WriteAllText(dir.ClaimPath(Network, "10.244.0.2"), "c1=eth0\n");
        using (IpamStore store = Open())
        {
            Assert.Null(store.Find("c1", "eth0"));
            Assert.Equal([IPAddress.Parse("fd00:10::2"), IPAddress.Parse("10.244.0.2")], store.Allocate("c1", "eth0", Pools, null).Addresses);
            Assert.Equal([IPAddress.Parse("fd00:10::3"), IPAddress.Parse("10.244.0.3")], store.Allocate("c2", "eth0", Pools, null).Addresses);
            Assert.Empty(store.RemoveCrashResidue());
        }

        Assert.Equal(6, Directory.GetFiles(Path.Combine(dir.NetworkDirectory(Network), "addresses")).Length);
    }

    [Fact]
    public void Killed_between_creating_a_claim_and_writing_its_owner_the_address_stays_out_of_use_until_residue_is_removed()
    {
        using (IpamStore store = Open())
        {
            store.Allocate("c0", "eth0", Pools, null);
        }

        File.WriteAllBytes(dir.ClaimPath(Network, "fd00:10::2"), []);
        using (IpamStore store = Open())
        {
            Assert.Equal([IPAddress.Parse("fd00:10::3"), IPAddress.Parse("10.244.0.2")], store.Allocate("c1", "eth0", Pools, null).Addresses);
            Assert.Equal([IPAddress.Parse("fd00:10::2")], store.RemoveCrashResidue());
            Assert.Equal(["c0", "c1"], store.List().Select(a => a.ContainerId));
        }

        Assert.False(File.Exists(dir.ClaimPath(Network, "fd00:10::2")));
    }

    [Fact]
    public void Killed_after_the_record_before_the_cursor_the_next_add_skips_the_claimed_addresses()
    {
        using (IpamStore store = Open())
        {
            store.Allocate("c0", "eth0", Pools, null);
        }

        byte[] cursorBefore = File.ReadAllBytes(dir.StatePath(Network));
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", Pools, null);
        }

        File.WriteAllBytes(dir.StatePath(Network), cursorBefore);
        using (IpamStore store = Open())
        {
            Assert.Equal([IPAddress.Parse("fd00:10::2"), IPAddress.Parse("10.244.0.2")], store.Find("c1", "eth0")!.Addresses);
            Assert.Equal([IPAddress.Parse("fd00:10::3"), IPAddress.Parse("10.244.0.3")], store.Allocate("c2", "eth0", Pools, null).Addresses);
        }
    }

    [Fact]
    public void Killed_after_removing_the_record_before_the_claims_the_addresses_stay_taken_until_residue_is_removed()
    {
        IPNetwork[] tiny = [IPNetwork.Parse("fd00:7::/126")]; // ::1 ::2 ::3
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", tiny, null);
            store.Allocate("c2", "eth0", tiny, null);
            store.Allocate("c3", "eth0", tiny, null);
        }

        // What Release("c1") leaves when killed after removing the record.
        File.Delete(dir.RecordPath(Network, "c1", "eth0"));
        using (IpamStore store = Open())
        {
            Assert.False(store.Release("c1", "eth0")); // the retried DEL finds nothing and succeeds
            Assert.Throws<PoolExhaustedException>(() => store.Allocate("c4", "eth0", tiny, null));
            Assert.Equal((UInt128)0, store.FreeAddresses(tiny[0]));
        }

        using (IpamStore store = Open())
        {
            Assert.Empty(store.ReleaseAllExcept([("c2", "eth0"), ("c3", "eth0")]));
            Assert.Equal(IPAddress.Parse("fd00:7::1"), store.Allocate("c4", "eth0", tiny, null).Addresses.Single());
        }
    }

    [Fact]
    public void A_record_emptied_by_an_os_crash_is_no_allocation_and_delete_and_gc_clean_it_up()
    {
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", Pools, "/var/run/netns/c1");
            store.Allocate("c2", "eth0", Pools, "/var/run/netns/c2");
            store.Allocate("c3", "eth0", Pools, "/var/run/netns/c3");
        }

        File.WriteAllBytes(dir.RecordPath(Network, "c1", "eth0"), []);
        File.WriteAllBytes(dir.RecordPath(Network, "c2", "eth0"), []);
        using (IpamStore store = Open())
        {
            Assert.Null(store.Find("c1", "eth0"));
            Assert.Equal(["c3"], store.List().Select(a => a.ContainerId));
            // Its claims name the emptied record, so residue removal keeps them: the addresses stay out of use.
            Assert.Empty(store.RemoveCrashResidue());
            Assert.True(store.Release("c1", "eth0"));
            Assert.False(File.Exists(dir.RecordPath(Network, "c1", "eth0")));
            Assert.Equal(
                [IPAddress.Parse("fd00:10::1"), IPAddress.Parse("10.244.0.1")],
                store.RemoveCrashResidue().OrderBy(a => a.AddressFamily).ThenBy(a => a.ToString(), StringComparer.Ordinal).Reverse().ToList());
            Assert.Empty(store.ReleaseAllExcept([("c3", "eth0")]));
            Assert.False(File.Exists(dir.RecordPath(Network, "c2", "eth0")));
            Assert.Equal(["fd00:10::3", "10.244.0.3"], Directory.GetFiles(Path.Combine(dir.NetworkDirectory(Network), "addresses")).Select(Path.GetFileName).OrderByDescending(n => n!.Contains(':', StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void A_retried_add_over_an_emptied_record_takes_its_own_claims_back()
    {
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", Pools, null);
        }

        File.WriteAllBytes(dir.RecordPath(Network, "c1", "eth0"), []);
        File.WriteAllBytes(dir.StatePath(Network), []); // the cursor was lost too
        using IpamStore reopened = Open();
        Assert.Equal([IPAddress.Parse("fd00:10::1"), IPAddress.Parse("10.244.0.1")], reopened.Allocate("c1", "eth0", Pools, null).Addresses);
        Assert.Empty(reopened.RemoveCrashResidue());
    }

    [Fact]
    public void A_leftover_temporary_record_is_not_an_allocation_and_is_reused()
    {
        Directory.CreateDirectory(Path.Combine(dir.NetworkDirectory(Network), "attachments"));
        File.WriteAllText(Path.Combine(dir.NetworkDirectory(Network), "attachments", ".record.tmp"), "{\"half");
        using IpamStore store = Open();
        Assert.Empty(store.List());
        store.Allocate("c1", "eth0", Pools, null);
        Assert.Equal(["c1=eth0"], Directory.GetFiles(Path.Combine(dir.NetworkDirectory(Network), "attachments")).Select(Path.GetFileName));
    }

    private IpamStore Open() => IpamStore.Open(dir.Path, Network, LockTimeout, new SteppingTimeProvider());
}
