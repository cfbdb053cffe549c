using System.Net;
using CniV6.Core.Ipam;
using CniV6.Core.Pod;

namespace CniV6.UnitTests.Ipam;

/// <summary>
/// The one leak rule the agent's reclaim and <c>cniv6 doctor</c> share: the pure classification, and the reading of
/// the node (namespace paths as files in a temp directory, host links given, attachment locks real files).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LeakedAllocationsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    private readonly string _dir = Directory.CreateTempSubdirectory("cv6k-leak-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Allocation Old(string containerId, string? netns, TimeSpan? age = null) =>
        new(containerId, "eth0", [IPAddress.Parse("fd00:10::5")], netns, Now - (age ?? TimeSpan.FromMinutes(5)));

    [Theory]
    [InlineData(false, false, false, 300, LeakState.NetnsPresentOrUnknown)]
    [InlineData(true, true, false, 300, LeakState.HostVethPresent)]
    [InlineData(true, false, true, 300, LeakState.InFlight)]
    [InlineData(true, false, false, 59, LeakState.WithinGrace)]
    [InlineData(true, false, false, 60, LeakState.Leaked)]
    [InlineData(true, false, false, 3600, LeakState.Leaked)]
    public void Only_a_gone_netns_without_veth_or_lock_past_the_grace_period_is_leaked(bool netnsGone, bool veth, bool inFlight, int ageSeconds, LeakState expected)
    {
        var allocation = Old("c1", "/run/netns/c1", TimeSpan.FromSeconds(ageSeconds));

        Assert.Equal(expected, LeakedAllocations.Classify(allocation, new LeakedAllocations.Evidence(netnsGone, veth, inFlight), Now, Grace));
    }

    [Fact]
    public void Assess_judges_namespaces_positively_and_reads_veths_and_locks()
    {
        var netnsDir = Directory.CreateDirectory(Path.Combine(_dir, "netns")).FullName;
        File.WriteAllText(Path.Combine(netnsDir, "live"), "");
        var locks = new AttachmentLocks(Path.Combine(_dir, "locks"));
        Allocation[] allocations =
        [
            Old("live", Path.Combine(netnsDir, "live")),
            Old("gone", Path.Combine(netnsDir, "gone")),
            Old("young", Path.Combine(netnsDir, "young"), TimeSpan.FromSeconds(10)),
            Old("veth", Path.Combine(netnsDir, "veth")),
            Old("busy", Path.Combine(netnsDir, "busy")),
            Old("unrecorded", null),
            Old("relative", "netns/x"),
            Old("unmounted", Path.Combine(_dir, "not-mounted", "x")),
        ];

        using (locks.Hold("net1", "busy", "eth0", TimeSpan.FromSeconds(5)))
        {
            var assessed = LeakedAllocations.Assess("net1", allocations, Now, Grace, locks,
                () => new HashSet<string>(StringComparer.Ordinal) { HostVethName.For("veth", "eth0"), "lo" });

            Assert.Equal(
                [
                    ("live", LeakState.NetnsPresentOrUnknown),
                    ("gone", LeakState.Leaked),
                    ("young", LeakState.WithinGrace),
                    ("veth", LeakState.HostVethPresent),
                    ("busy", LeakState.InFlight),
                    ("unrecorded", LeakState.NetnsPresentOrUnknown),
                    ("relative", LeakState.NetnsPresentOrUnknown),
                    ("unmounted", LeakState.NetnsPresentOrUnknown),
                ],
                assessed.Select(a => (a.Allocation.ContainerId, a.State)));
        }
    }

    [Fact]
    public void Without_a_gone_namespace_the_host_is_not_read_at_all()
    {
        var netnsDir = Directory.CreateDirectory(Path.Combine(_dir, "netns")).FullName;
        File.WriteAllText(Path.Combine(netnsDir, "live"), "");

        var assessed = LeakedAllocations.Assess("net1", [Old("live", Path.Combine(netnsDir, "live"))], Now, Grace,
            new AttachmentLocks(Path.Combine(_dir, "locks")), () => throw new InvalidOperationException("links read"));

        Assert.Equal(LeakState.NetnsPresentOrUnknown, Assert.Single(assessed).State);
    }

    [Fact]
    public void A_symlink_at_the_netns_path_is_not_gone()
    {
        var netnsDir = Directory.CreateDirectory(Path.Combine(_dir, "netns")).FullName;
        File.CreateSymbolicLink(Path.Combine(netnsDir, "dangling"), Path.Combine(_dir, "nowhere"));

        Assert.False(LeakedAllocations.IsNetnsGone(Path.Combine(netnsDir, "dangling")));
        Assert.True(LeakedAllocations.IsNetnsGone(Path.Combine(netnsDir, "absent")));
        Assert.False(LeakedAllocations.IsNetnsGone("/proc/2147483000/ns/net"));
    }
}
