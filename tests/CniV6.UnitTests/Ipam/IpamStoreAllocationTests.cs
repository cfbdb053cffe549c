using System.Net;
using CniV6.Core.Ipam;

namespace CniV6.UnitTests.Ipam;

public sealed class IpamStoreAllocationTests : IDisposable
{
    private const string Network = "podnet";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(5);
    private readonly TempStoreDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Allocates_in_order_and_never_hands_out_the_network_address()
    {
        using IpamStore store = Open();
        IPNetwork[] pools = [IPNetwork.Parse("fd00:10::/120")];

        Assert.Equal(IPAddress.Parse("fd00:10::1"), store.Allocate("c1", "eth0", pools, null).Addresses.Single());
        Assert.Equal(IPAddress.Parse("fd00:10::2"), store.Allocate("c2", "eth0", pools, null).Addresses.Single());
        Assert.Equal(IPAddress.Parse("fd00:10::3"), store.Allocate("c2", "net1", pools, null).Addresses.Single());
    }

    [Fact]
    public void Dual_stack_gets_one_address_from_each_pool_in_pool_order()
    {
        using IpamStore store = Open();
        Allocation allocation = store.Allocate("c1", "eth0", [IPNetwork.Parse("fd00::/64"), IPNetwork.Parse("10.0.0.0/24")], "/var/run/netns/x");

        Assert.Equal([IPAddress.Parse("fd00::1"), IPAddress.Parse("10.0.0.1")], allocation.Addresses);
        Assert.Equal("/var/run/netns/x", allocation.NetNs);
    }

    [Theory]
    [InlineData("fd00::/64", "fd01::/64")]
    [InlineData("10.0.0.0/24", "10.1.0.0/24")]
    public void Two_pools_of_one_family_are_rejected(string a, string b)
    {
        using IpamStore store = Open();
        Assert.Throws<ArgumentException>(() => store.Allocate("c1", "eth0", [IPNetwork.Parse(a), IPNetwork.Parse(b)], null));
        Assert.Empty(store.List());
    }

    [Theory]
    [InlineData("-bad", "eth0")]
    [InlineData("c/1", "eth0")]
    [InlineData("", "eth0")]
    [InlineData("c1", "")]
    [InlineData("c1", "a/b")]
    [InlineData("c1", "0123456789abcdef")]
    public void Invalid_ids_are_rejected(string containerId, string ifName)
    {
        using IpamStore store = Open();
        Assert.Throws<ArgumentException>(() => store.Allocate(containerId, ifName, [IPNetwork.Parse("fd00::/64")], null));
    }

    [Fact]
    public void Retried_add_gets_its_existing_allocation_back_also_after_reopening()
    {
        IPNetwork[] pools = [IPNetwork.Parse("fd00::/64"), IPNetwork.Parse("10.0.0.0/24")];
        Allocation first;
        using (IpamStore store = Open())
        {
            first = store.Allocate("c1", "eth0", pools, null);
            Allocation retried = store.Allocate("c1", "eth0", pools, null);
            Assert.Equal(first.Addresses, retried.Addresses);
            Assert.Equal(first.Created, retried.Created);
        }

        using (IpamStore reopened = Open())
        {
            Allocation again = reopened.Allocate("c1", "eth0", pools, null);
            Assert.Equal(first.Addresses, again.Addresses);
            Assert.Equal(first.Created, again.Created);
            Assert.Single(reopened.List());
        }
    }

    [Theory]
    [InlineData("10.9.9.0/30", new[] { "10.9.9.1", "10.9.9.2" })]
    [InlineData("fd00:9::/126", new[] { "fd00:9::1", "fd00:9::2", "fd00:9::3" })]
    public void Exhausted_pool_throws_naming_the_pool_and_leaves_the_state_unchanged(string cidr, string[] usable)
    {
        var pool = IPNetwork.Parse(cidr);
        using IpamStore store = Open();
        for (int i = 0; i < usable.Length; i++)
        {
            Assert.Equal(IPAddress.Parse(usable[i]), store.Allocate($"c{i}", "eth0", [pool], null).Addresses.Single());
        }

        byte[] before = File.ReadAllBytes(dir.StatePath(Network));
        PoolExhaustedException e = Assert.Throws<PoolExhaustedException>(() => store.Allocate("late", "eth0", [pool], null));

        Assert.Equal(pool, e.Pool);
        Assert.Contains(cidr, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(dir.StatePath(Network)));
        Assert.Equal(usable.Length, store.List().Count);
        Assert.Null(store.Find("late", "eth0"));
    }

    [Fact]
    public void Exhausting_the_second_pool_takes_nothing_from_the_first()
    {
        var v6 = IPNetwork.Parse("fd00::/64");
        var v4 = IPNetwork.Parse("10.9.9.0/30");
        using IpamStore store = Open();
        store.Allocate("c0", "eth0", [v6, v4], null);
        store.Allocate("c1", "eth0", [v6, v4], null);
        byte[] before = File.ReadAllBytes(dir.StatePath(Network));

        PoolExhaustedException e = Assert.Throws<PoolExhaustedException>(() => store.Allocate("c2", "eth0", [v6, v4], null));

        Assert.Equal(v4, e.Pool);
        Assert.Equal(before, File.ReadAllBytes(dir.StatePath(Network)));
        // The IPv6 cursor did not move: the next IPv6-only allocation continues right after c1's address.
        Assert.Equal(IPAddress.Parse("fd00::3"), store.Allocate("c3", "eth0", [v6], null).Addresses.Single());
    }

    [Fact]
    public void A_full_slash_24_terminates_and_reports_exhaustion()
    {
        var pool = IPNetwork.Parse("10.20.30.0/24");
        using IpamStore store = Open();
        var seen = new HashSet<IPAddress>();
        for (int i = 0; i < 254; i++)
        {
            Assert.True(seen.Add(store.Allocate($"c{i}", "eth0", [pool], null).Addresses.Single()));
        }

        Assert.DoesNotContain(IPAddress.Parse("10.20.30.0"), seen);
        Assert.DoesNotContain(IPAddress.Parse("10.20.30.255"), seen);
        Assert.Throws<PoolExhaustedException>(() => store.Allocate("late", "eth0", [pool], null));
    }

    [Fact]
    public void Released_address_is_reused_only_after_the_cursor_went_round()
    {
        var pool = IPNetwork.Parse("fd00:7::/125"); // usable ::1 … ::7
        using IpamStore store = Open();
        for (int i = 1; i <= 3; i++)
        {
            store.Allocate($"c{i}", "eth0", [pool], null);
        }

        Assert.True(store.Release("c1", "eth0"));

        Assert.Equal(IPAddress.Parse("fd00:7::4"), store.Allocate("c4", "eth0", [pool], null).Addresses.Single());
    }

    [Fact]
    public void Cursor_wraps_around_to_the_first_free_address()
    {
        var pool = IPNetwork.Parse("fd00:7::/126"); // usable ::1 ::2 ::3
        using IpamStore store = Open();
        store.Allocate("a", "eth0", [pool], null);
        store.Allocate("b", "eth0", [pool], null);
        store.Allocate("c", "eth0", [pool], null);
        store.Release("b", "eth0");
        store.Release("a", "eth0");

        // Cursor is at ::3 (the end): wraps to ::1, which is free again.
        Assert.Equal(IPAddress.Parse("fd00:7::1"), store.Allocate("d", "eth0", [pool], null).Addresses.Single());
        Assert.Equal(IPAddress.Parse("fd00:7::2"), store.Allocate("e", "eth0", [pool], null).Addresses.Single());
    }

    [Fact]
    public void Cursor_survives_reopening()
    {
        var pool = IPNetwork.Parse("10.0.0.0/24");
        using (IpamStore store = Open())
        {
            store.Allocate("a", "eth0", [pool], null);
            store.Allocate("b", "eth0", [pool], null);
            store.Release("b", "eth0");
        }

        using IpamStore reopened = Open();
        Assert.Equal(IPAddress.Parse("10.0.0.3"), reopened.Allocate("c", "eth0", [pool], null).Addresses.Single());
    }

    [Fact]
    public void Release_of_an_unknown_attachment_returns_false_and_keeps_others()
    {
        using IpamStore store = Open();
        store.Allocate("a", "eth0", [IPNetwork.Parse("fd00::/64")], null);

        Assert.False(store.Release("a", "eth1"));
        Assert.False(store.Release("zzz", "eth0"));
        Assert.True(store.Release("a", "eth0"));
        Assert.False(store.Release("a", "eth0"));
        Assert.Empty(store.List());
    }

    [Fact]
    public void ReleaseAllExcept_frees_everything_not_kept_and_reports_it()
    {
        IPNetwork[] pools = [IPNetwork.Parse("fd00::/64")];
        using (IpamStore store = Open())
        {
            store.Allocate("keep", "eth0", pools, null);
            store.Allocate("gone", "eth0", pools, null);
            store.Allocate("keep", "net1", pools, null);
            store.Allocate("gone2", "eth0", pools, null);

            IReadOnlyList<Allocation> released = store.ReleaseAllExcept([("keep", "eth0"), ("keep", "net1"), ("unknown", "eth0")]);

            Assert.Equal(["gone", "gone2"], released.Select(a => a.ContainerId));
            Assert.Empty(store.ReleaseAllExcept([("keep", "eth0"), ("keep", "net1")]));
        }

        using IpamStore reopened = Open();
        Assert.Equal([("keep", "eth0"), ("keep", "net1")], reopened.List().Select(a => (a.ContainerId, a.IfName)));
    }

    [Fact]
    public void List_returns_allocations_oldest_first_and_Find_looks_one_up()
    {
        using IpamStore store = Open();
        IPNetwork[] pools = [IPNetwork.Parse("fd00::/64")];
        store.Allocate("b", "eth0", pools, null);
        store.Allocate("a", "eth0", pools, "/run/netns/a");

        Assert.Equal(["b", "a"], store.List().Select(a => a.ContainerId));
        Assert.Equal("/run/netns/a", store.Find("a", "eth0")?.NetNs);
        Assert.Null(store.Find("a", "eth1"));
    }

    [Fact]
    public void FreeAddresses_counts_usable_addresses_left_in_a_pool()
    {
        var v4 = IPNetwork.Parse("10.9.9.0/30");
        var v6 = IPNetwork.Parse("fd00:9::/126");
        using IpamStore store = Open();
        Assert.Equal((UInt128)2, store.FreeAddresses(v4));
        Assert.Equal((UInt128)3, store.FreeAddresses(v6));

        store.Allocate("a", "eth0", [v6, v4], null);
        store.Allocate("b", "eth0", [v6, v4], null);

        Assert.Equal(UInt128.Zero, store.FreeAddresses(v4));
        Assert.Equal(UInt128.One, store.FreeAddresses(v6));
        Assert.Equal((UInt128)65535, store.FreeAddresses(IPNetwork.Parse("fd00:8::/112")));
    }

    [Fact]
    public void Store_is_unusable_after_dispose()
    {
        IpamStore store = Open();
        store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => store.List());
    }

    private IpamStore Open() => IpamStore.Open(dir.Path, Network, LockTimeout, new SteppingTimeProvider());
}
