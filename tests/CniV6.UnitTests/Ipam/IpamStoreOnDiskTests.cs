using System.Net;
using System.Text;
using CniV6.Core.Ipam;
using CniV6.UnitTests.Linux;

namespace CniV6.UnitTests.Ipam;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(CniV6.UnitTests.Linux.ProcessUmask.Name)]
public sealed class IpamStoreOnDiskTests : IDisposable
{
    private const string Network = "podnet";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(5);
    private static readonly IPNetwork[] Pools = [IPNetwork.Parse("fd00:10::/112"), IPNetwork.Parse("10.244.0.0/24")];
    private readonly TempStoreDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void State_file_holds_the_cursors_a_record_the_allocation_and_a_claim_each_address()
    {
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", Pools, "/var/run/netns/p1");
        }

        string json = File.ReadAllText(dir.StatePath(Network));
        Assert.Contains("\"version\":2", json, StringComparison.Ordinal);
        Assert.Contains("\"network\":\"podnet\"", json, StringComparison.Ordinal);
        Assert.Contains("\"pool\":\"fd00:10::/112\"", json, StringComparison.Ordinal);
        Assert.Contains("\"last\":\"10.244.0.1\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("allocations", json, StringComparison.Ordinal);
        string record = File.ReadAllText(dir.RecordPath(Network, "c1", "eth0"));
        Assert.Contains("\"containerId\":\"c1\"", record, StringComparison.Ordinal);
        Assert.Contains("\"addresses\":[\"fd00:10::1\",\"10.244.0.1\"]", record, StringComparison.Ordinal);
        Assert.Contains("\"netns\":\"/var/run/netns/p1\"", record, StringComparison.Ordinal);
        Assert.Equal("c1=eth0\n", File.ReadAllText(dir.ClaimPath(Network, "fd00:10::1")));
        Assert.Equal("c1=eth0\n", File.ReadAllText(dir.ClaimPath(Network, "10.244.0.1")));
    }

    [Fact]
    public void Directories_are_0700_and_files_0600_under_umask_000_without_temporary_leftovers()
    {
        // The plugin may be started with any umask; the modes must not depend on it.
        using (ProcessUmask.Set(0))
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", Pools, null);
        }

        UnixFileMode userRw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        UnixFileMode userRwx = userRw | UnixFileMode.UserExecute;
        Assert.Equal(userRwx, File.GetUnixFileMode(dir.NetworkDirectory(Network)));
        Assert.Equal(userRwx, File.GetUnixFileMode(Path.Combine(dir.NetworkDirectory(Network), "attachments")));
        Assert.Equal(userRwx, File.GetUnixFileMode(Path.Combine(dir.NetworkDirectory(Network), "addresses")));
        Assert.Equal(userRw, File.GetUnixFileMode(dir.StatePath(Network)));
        Assert.Equal(userRw, File.GetUnixFileMode(Path.Combine(dir.NetworkDirectory(Network), "lock")));
        Assert.Equal(userRw, File.GetUnixFileMode(dir.RecordPath(Network, "c1", "eth0")));
        Assert.Equal(userRw, File.GetUnixFileMode(dir.ClaimPath(Network, "fd00:10::1")));
        Assert.Equal(
            ["addresses/10.244.0.1", "addresses/fd00:10::1", "attachments/c1=eth0", "lock", "state.json"],
            Directory.GetFiles(dir.NetworkDirectory(Network), "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(dir.NetworkDirectory(Network), f)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_existing_network_directory_keeps_its_mode()
    {
        // dataDir "/" with a network named "usr" used to chmod /usr to 0700: a directory the store did not create
        // is never chmod'ed, and nor is an existing state file (the next write replaces it with a 0600 one).
        Directory.CreateDirectory(dir.NetworkDirectory(Network));
        File.SetUnixFileMode(dir.NetworkDirectory(Network), (UnixFileMode)0x1ED); // 0755
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", Pools, null);
        }

        File.SetUnixFileMode(dir.StatePath(Network), (UnixFileMode)0x1A4); // 0644
        using (Open())
        {
            Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(dir.NetworkDirectory(Network)));
            Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(dir.StatePath(Network)));
        }
    }

    [Theory]
    [InlineData(0x1FF)] // 0777
    [InlineData(0x1F8)] // 0770
    public void A_network_directory_others_may_write_is_refused_and_left_alone(int mode)
    {
        Directory.CreateDirectory(dir.NetworkDirectory(Network));
        File.SetUnixFileMode(dir.NetworkDirectory(Network), (UnixFileMode)mode);

        IpamStoreCorruptException e = Assert.Throws<IpamStoreCorruptException>(Open);

        Assert.Equal(dir.NetworkDirectory(Network), e.Path);
        Assert.Contains("writable by group or others", e.Reason, StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)mode, File.GetUnixFileMode(dir.NetworkDirectory(Network)));
        Assert.Empty(Directory.GetFileSystemEntries(dir.NetworkDirectory(Network)));
    }

    [Fact]
    public void A_huge_state_file_is_refused_at_once_without_reading_it()
    {
        using (Open())
        {
        }

        // 1 GiB, sparse: reading and parsing it took a minute and 4 GiB of memory with the store lock held.
        using (var huge = new FileStream(dir.StatePath(Network), FileMode.Create))
        {
            huge.SetLength(1L << 30);
        }

        var timer = System.Diagnostics.Stopwatch.StartNew();
        IpamStoreCorruptException e = Assert.Throws<IpamStoreCorruptException>(Open);

        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(2), $"took {timer.Elapsed}");
        Assert.Contains($"more than the {IpamStore.MaxStateBytes} bytes", e.Reason, StringComparison.Ordinal);
        using IpamStore reopened = IpamStore.Open(dir.Path, "othernet", LockTimeout); // the lock was released
    }

    [Theory]
    [InlineData("state.json")]
    [InlineData("lock")]
    public void A_fifo_as_state_or_lock_file_is_refused_at_once(string name)
    {
        Directory.CreateDirectory(dir.NetworkDirectory(Network));
        File.SetUnixFileMode(dir.NetworkDirectory(Network), (UnixFileMode)0x1C0);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(dir.NetworkDirectory(Network), name)))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var timer = System.Diagnostics.Stopwatch.StartNew();
        Exception e = Assert.ThrowsAny<Exception>(Open);

        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(2), $"took {timer.Elapsed}");
        Assert.Contains("is a FIFO, not a regular file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Symlinked_state_file_is_refused()
    {
        string elsewhere = Path.Combine(dir.Path, "elsewhere.json");
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", Pools, null);
        }

        File.Move(dir.StatePath(Network), elsewhere);
        File.CreateSymbolicLink(dir.StatePath(Network), elsewhere);

        IpamStoreCorruptException e = Assert.Throws<IpamStoreCorruptException>(Open);
        Assert.Equal(dir.StatePath(Network), e.Path);
        Assert.Contains("symbolic link", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Symlinked_network_directory_is_refused()
    {
        string real = Directory.CreateDirectory(Path.Combine(dir.Path, "real")).FullName;
        File.CreateSymbolicLink(dir.NetworkDirectory(Network), real);

        IpamStoreCorruptException e = Assert.Throws<IpamStoreCorruptException>(Open);
        Assert.Equal(dir.NetworkDirectory(Network), e.Path);
        Assert.Empty(Directory.GetFileSystemEntries(real));
    }

    [Fact]
    public void Truncated_state_file_is_reported_and_left_as_it_is()
    {
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", Pools, null);
            store.Allocate("c2", "eth0", Pools, null);
        }

        // Half of the JSON (the file is padded with spaces after it).
        byte[] full = Encoding.UTF8.GetBytes(File.ReadAllText(dir.StatePath(Network)).TrimEnd());
        byte[] truncated = full[..(full.Length / 2)];
        File.WriteAllBytes(dir.StatePath(Network), truncated);

        IpamStoreCorruptException e = Assert.Throws<IpamStoreCorruptException>(Open);
        Assert.Equal(dir.StatePath(Network), e.Path);
        Assert.Contains("truncated", e.Reason, StringComparison.Ordinal);
        Assert.Equal(truncated, File.ReadAllBytes(dir.StatePath(Network)));
    }

    [Fact]
    public void Empty_state_file_without_records_is_reported_also_when_opened_again()
    {
        Directory.CreateDirectory(dir.NetworkDirectory(Network));
        File.WriteAllBytes(dir.StatePath(Network), []);

        IpamStoreCorruptException e = Assert.Throws<IpamStoreCorruptException>(Open);
        Assert.Contains("empty", e.Reason, StringComparison.Ordinal);
        Assert.Throws<IpamStoreCorruptException>(Open);
    }

    [Fact]
    public void Empty_state_file_beside_records_only_loses_the_cursors()
    {
        var pool = IPNetwork.Parse("fd00:7::/125");
        using (IpamStore store = Open())
        {
            store.Allocate("c1", "eth0", [pool], null);
            store.Allocate("c2", "eth0", [pool], null);
            store.Release("c1", "eth0");
        }

        File.WriteAllBytes(dir.StatePath(Network), []); // what an operating-system crash may leave of an unsynced write
        using IpamStore reopened = Open();
        Assert.Equal(["c2"], reopened.List().Select(a => a.ContainerId));
        Assert.Equal(IPAddress.Parse("fd00:7::1"), reopened.Allocate("c3", "eth0", [pool], null).Addresses.Single());
    }

    [Theory]
    [InlineData("garbage", "not a valid state document")]
    [InlineData("""{"version":3,"network":"podnet","pools":[]}""", "unsupported version 3")]
    [InlineData("""{"version":2,"network":"podnet","pools":[],"allocations":[]}""", "version 2 lists 'allocations'")]
    [InlineData("""{"version":2,"network":"podnet"}""", "'pools' is missing")]
    [InlineData("""{"network":"podnet","pools":[],"allocations":[]}""", "unsupported version (missing)")]
    [InlineData("""{"version":1,"network":"other","pools":[],"allocations":[]}""", "belongs to network 'other'")]
    [InlineData("""{"version":1,"network":"podnet","allocations":[]}""", "'pools' is missing")]
    [InlineData("""{"version":1,"network":"podnet","pools":[]}""", "'allocations' is missing")]
    [InlineData("""{"version":1,"network":"podnet","pools":[],"allocations":[],"extra":1}""", "not a valid state document")]
    [InlineData("""{"version":1,"network":"podnet","pools":[{"pool":"fd00::/300","last":"fd00::"}],"allocations":[]}""", "invalid pool")]
    [InlineData("""{"version":1,"network":"podnet","pools":[{"pool":"fd00::/64","last":"fd01::"}],"allocations":[]}""", "is not an address in the pool")]
    [InlineData("""{"version":1,"network":"podnet","pools":[{"pool":"fd00::/64","last":"fd00::"},{"pool":"fd00::/64","last":"fd00::"}],"allocations":[]}""", "listed twice")]
    [InlineData("""{"version":1,"network":"podnet","pools":[{"pool":"fd00::/64","last":"fd00::"}],"allocations":[{"containerId":"../x","ifName":"eth0","addresses":["fd00::1"],"created":"2026-01-01T00:00:00Z"}]}""", "invalid container id '../x'")]
    [InlineData("""{"version":1,"network":"podnet","pools":[{"pool":"fd00::/64","last":"fd00::"}],"allocations":[{"containerId":"c1","ifName":"eth/0","addresses":["fd00::1"],"created":"2026-01-01T00:00:00Z"}]}""", "invalid interface name")]
    [InlineData("""{"version":1,"network":"podnet","pools":[{"pool":"fd00::/64","last":"fd00::"}],"allocations":[{"containerId":"c1","ifName":"eth0","addresses":["not-an-ip"],"created":"2026-01-01T00:00:00Z"}]}""", "invalid address 'not-an-ip'")]
    [InlineData("""{"version":1,"network":"podnet","pools":[{"pool":"fd00::/64","last":"fd00::"}],"allocations":[{"containerId":"c1","ifName":"eth0","addresses":["fd99::1"],"created":"2026-01-01T00:00:00Z"}]}""", "outside every pool")]
    [InlineData("""{"version":1,"network":"podnet","pools":[{"pool":"fd00::/64","last":"fd00::"}],"allocations":[{"containerId":"c1","ifName":"eth0","addresses":[],"created":"2026-01-01T00:00:00Z"}]}""", "has no addresses")]
    [InlineData("""{"version":1,"network":"podnet","pools":[{"pool":"fd00::/64","last":"fd00::"}],"allocations":[{"containerId":"c1","ifName":"eth0","addresses":["fd00::1"]}]}""", "no creation time")]
    [InlineData("""{"version":1,"network":"podnet","pools":[{"pool":"fd00::/64","last":"fd00::"}],"allocations":[{"containerId":"c1","ifName":"eth0","addresses":["fd00::1"],"created":"2026-01-01T00:00:00Z"},{"containerId":"c2","ifName":"eth0","addresses":["fd00::1"],"created":"2026-01-01T00:00:00Z"}]}""", "assigned twice")]
    [InlineData("""{"version":1,"network":"podnet","pools":[{"pool":"fd00::/64","last":"fd00::"}],"allocations":[{"containerId":"c1","ifName":"eth0","addresses":["fd00::1"],"created":"2026-01-01T00:00:00Z"},{"containerId":"c1","ifName":"eth0","addresses":["fd00::2"],"created":"2026-01-01T00:00:00Z"}]}""", "listed twice")]
    [InlineData("""{"version":1,"network":"podnet","pools":[{"pool":"fd00::/64","last":"fd00::"}],"allocations":[null]}""", "null allocation")]
    public void Inconsistent_state_file_is_reported_with_path_and_reason(string content, string reason)
    {
        Directory.CreateDirectory(dir.NetworkDirectory(Network));
        File.WriteAllText(dir.StatePath(Network), content, Encoding.UTF8);

        IpamStoreCorruptException e = Assert.Throws<IpamStoreCorruptException>(Open);

        Assert.Equal(dir.StatePath(Network), e.Path);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.Contains(dir.StatePath(Network), e.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(dir.StatePath(Network)));
    }

    [Fact]
    public void Valid_hand_written_state_is_accepted()
    {
        Directory.CreateDirectory(dir.NetworkDirectory(Network));
        File.WriteAllText(dir.StatePath(Network), """
            {"version":1,"network":"podnet","pools":[{"pool":"fd00::/64","last":"fd00::5"}],
             "allocations":[{"containerId":"c1","ifName":"eth0","addresses":["fd00::5"],"created":"2026-01-01T00:00:00Z"}]}
            """);

        using IpamStore store = Open();
        Assert.Equal(IPAddress.Parse("fd00::5"), store.Find("c1", "eth0")?.Addresses.Single());
        Assert.Equal(IPAddress.Parse("fd00::6"), store.Allocate("c2", "eth0", [IPNetwork.Parse("fd00::/64")], null).Addresses.Single());
    }

    [Fact]
    public void Invalid_network_name_is_rejected_before_touching_the_disk()
    {
        Assert.Throws<ArgumentException>(() => IpamStore.Open(dir.Path, "../escape", LockTimeout));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Missing_data_directory_is_created_private()
    {
        string dataDir = Path.Combine(dir.Path, "var", "lib", "cniv6");
        using (IpamStore.Open(dataDir, Network, LockTimeout))
        {
            Assert.Equal((UnixFileMode)0x1C0, File.GetUnixFileMode(dataDir));
        }
    }

    [Fact]
    public void Second_open_waits_for_the_lock_and_times_out()
    {
        using IpamStore holder = Open();
        Assert.Throws<TimeoutException>(() => IpamStore.Open(dir.Path, Network, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void Lock_held_by_another_process_blocks_open()
    {
        using (Open())
        {
        }

        // util-linux flock(1) holds the store's lock file from a separate process.
        var startInfo = new System.Diagnostics.ProcessStartInfo("flock")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { Path.Combine(dir.NetworkDirectory(Network), "lock"), "-c", "echo locked; sleep 5" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var holder = System.Diagnostics.Process.Start(startInfo)!;
        try
        {
            Assert.Equal("locked", holder.StandardOutput.ReadLine());
            Assert.Throws<TimeoutException>(() => IpamStore.Open(dir.Path, Network, TimeSpan.FromMilliseconds(200)));
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            holder.WaitForExit();
        }

        using IpamStore afterwards = Open();
        Assert.Empty(afterwards.List());
    }

    private IpamStore Open() => IpamStore.Open(dir.Path, Network, LockTimeout, new SteppingTimeProvider());
}
