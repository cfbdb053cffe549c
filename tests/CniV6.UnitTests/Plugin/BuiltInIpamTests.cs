using System.Net;
using System.Runtime.Versioning;
using CniV6.Core.Config;
using CniV6.Core.Ipam;
using CniV6.Plugin.Cni;
using CniV6.Plugin.Ipam;
using CniV6.UnitTests.Ipam;

namespace CniV6.UnitTests.Plugin;

/// <summary>The built-in IPAM seam over a real store in a private temporary directory.</summary>
[SupportedOSPlatform("linux")]
public sealed class BuiltInIpamTests : IDisposable
{
    private readonly TempStoreDirectory data = new();

    public void Dispose() => data.Dispose();

    [Fact]
    public void Reserve_is_idempotent_check_compares_and_release_forgets()
    {
        var ipam = Ipam();
        var first = ipam.Reserve(Request("c1"));
        var again = ipam.Reserve(Request("c1"));

        Assert.Equal(first.Addresses, again.Addresses);
        Assert.Equal(ipam.ConfiguredPools, first.Pools);
        Assert.Empty(ipam.Check(Request("c1"), first.Addresses.ToHashSet()));
        Assert.Contains("but prevResult has fd00:10:244::99", Assert.Single(ipam.Check(Request("c1"), new HashSet<IPAddress> { IPAddress.Parse("fd00:10:244::99") })), StringComparison.Ordinal);

        ipam.Release(Request("c1"));
        ipam.Release(Request("c1"));

        Assert.Equal("no IPAM allocation for c1/eth0", Assert.Single(ipam.Check(Request("c1"), first.Addresses.ToHashSet())));
    }

    [Fact]
    public void An_exhausted_pool_is_code_PoolExhausted_on_ADD_and_code_50_on_STATUS()
    {
        var ipam = Ipam(pool: "fd00:10:244::/127");
        ipam.Reserve(Request("c1"));

        Assert.Equal(CniErrorCode.PoolExhausted, Assert.Throws<CniException>(() => ipam.Reserve(Request("c2"))).Code);
        Assert.Equal(CniErrorCode.PluginNotAvailable, Assert.Throws<CniException>(() => ipam.Status(Request(""))).Code);
    }

    [Fact]
    public void GC_sweeps_while_holding_the_store_lock_then_releases_all_but_the_valid()
    {
        var ipam = Ipam();
        ipam.Reserve(Request("keep"));
        ipam.Reserve(Request("leaked"));
        Exception? lockedOut = null;

        var released = ipam.CollectGarbage(Request(""), () =>
        {
            lockedOut = Record.Exception(() => IpamStore.Open(data.Path, "pods", TimeSpan.Zero).Dispose());
            return new HashSet<(string, string)> { ("keep", "eth0") };
        });

        Assert.IsType<TimeoutException>(lockedOut);
        Assert.Equal("leaked", Assert.Single(released).ContainerId);
        Assert.Empty(ipam.Check(Request("keep"), ipam.Reserve(Request("keep")).Addresses.ToHashSet()));
    }

    [Fact]
    public void GC_with_an_unusable_store_still_sweeps_once_then_fails_with_code_5()
    {
        var notADirectory = Path.Combine(data.Path, "file");
        File.WriteAllText(notADirectory, "");
        var ipam = Ipam(dataDir: notADirectory);
        var sweeps = 0;

        var e = Assert.Throws<CniException>(() => ipam.CollectGarbage(Request(""), () =>
        {
            sweeps++;
            return new HashSet<(string, string)>();
        }));

        Assert.Equal(CniErrorCode.IoFailure, e.Code);
        Assert.Equal(1, sweeps);
    }

    [Fact]
    public void A_store_held_past_the_lock_timeout_is_code_11_try_again_later_not_999()
    {
        var ipam = Ipam(lockTimeout: TimeSpan.FromMilliseconds(100));
        using var holder = IpamStore.Open(data.Path, "pods", TimeSpan.FromSeconds(1));

        var e = Assert.Throws<CniException>(() => ipam.Reserve(Request("c1")));

        Assert.Equal(CniErrorCode.TryAgainLater, e.Code);
        Assert.Contains("network pods is busy", e.Message, StringComparison.Ordinal);
        Assert.Contains("try again later", e.Message, StringComparison.Ordinal);
    }

    private BuiltInIpam Ipam(string pool = "fd00:10:244::/64", string? dataDir = null, TimeSpan? lockTimeout = null) => new(new NetworkConfig
    {
        Name = "pods",
        CniVersion = "1.1.0",
        Type = "cniv6",
        Ipam = new IpamConfig { Pools = [IPNetwork.Parse(pool)], DataDir = dataDir ?? data.Path },
    }, lockTimeout ?? BuiltInIpam.DefaultStoreLockTimeout);

    private static CniRequest Request(string containerId) =>
        new(CniCommand.Add, containerId, "/var/run/netns/pod", containerId.Length == 0 ? "" : "eth0", [], [], null!, []);
}
