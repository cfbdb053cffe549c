using System.Net;
using CniV6.Core.Nat;

namespace CniV6.IntegrationTests.Nat;

/// <summary>
/// Packets really get masqueraded: a "pod" namespace behind a "router" namespace talks to a "remote" namespace
/// that has no route back to the pool, so an answer can only arrive when the router rewrote the source to its
/// own uplink address.
/// </summary>
public sealed class MasqueradeTrafficTests : IDisposable
{
    private const string Network = "cv6n-traffic";
    private static readonly IPNetwork[] Pools = [IPNetwork.Parse("fd00:aa::/64"), IPNetwork.Parse("10.244.0.0/24")];

    private readonly NatTestNamespace pod = new();
    private readonly NatTestNamespace router = new();
    private readonly NatTestNamespace remote = new();
    private readonly string markerDirectory = Directory.CreateTempSubdirectory("cv6n-markers-").FullName;

    public MasqueradeTrafficTests()
    {
        // pod p0 <-> router rp ; router ru <-> remote x0
        pod.Exec("ip", "link", "add", "p0", "type", "veth", "peer", "name", "rp", "netns", router.Name);
        router.Exec("ip", "link", "add", "ru", "type", "veth", "peer", "name", "x0", "netns", remote.Name);
        pod.Exec("ip", "addr", "add", "fd00:aa::2/64", "dev", "p0", "nodad");
        pod.Exec("ip", "addr", "add", "10.244.0.2/24", "dev", "p0");
        router.Exec("ip", "addr", "add", "fd00:aa::1/64", "dev", "rp", "nodad");
        router.Exec("ip", "addr", "add", "10.244.0.1/24", "dev", "rp");
        router.Exec("ip", "addr", "add", "2001:db8:1::1/64", "dev", "ru", "nodad");
        router.Exec("ip", "addr", "add", "192.0.2.1/24", "dev", "ru");
        remote.Exec("ip", "addr", "add", "2001:db8:1::2/64", "dev", "x0", "nodad");
        remote.Exec("ip", "addr", "add", "192.0.2.2/24", "dev", "x0");
        pod.Exec("ip", "link", "set", "p0", "up");
        router.Exec("ip", "link", "set", "rp", "up");
        router.Exec("ip", "link", "set", "ru", "up");
        remote.Exec("ip", "link", "set", "x0", "up");
        pod.Exec("ip", "-6", "route", "add", "default", "via", "fd00:aa::1");
        pod.Exec("ip", "-4", "route", "add", "default", "via", "10.244.0.1");
        router.Exec("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
        router.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    }

    public void Dispose()
    {
        pod.Dispose();
        router.Dispose();
        remote.Dispose();
        Directory.Delete(markerDirectory, recursive: true);
    }

    [Fact]
    public void Pool_sources_reach_a_remote_only_after_masquerading_and_appear_as_the_router()
    {
        // Without masquerading the remote cannot answer: it has no route to the pool.
        Assert.NotEqual(0, pod.TryExec("ping", "-6", "-c", "1", "-W", "1", "2001:db8:1::2").ExitCode);
        Assert.NotEqual(0, pod.TryExec("ping", "-4", "-c", "1", "-W", "1", "192.0.2.2").ExitCode);

        var rules = new IptablesMasqueradeBackend(new NetNamespaceIptablesRunner(router.Name), markerDirectory, () => router.Inode, router.NfTablesGeneration);
        rules.Ensure(MasqueradePlan.For(Network, Pools, []));

        Assert.Equal(0, pod.TryExec("ping", "-6", "-c", "1", "-W", "2", "2001:db8:1::2").ExitCode);
        Assert.Equal(0, pod.TryExec("ping", "-4", "-c", "1", "-W", "2", "192.0.2.2").ExitCode);

        // The remote's neighbour table only knows the router's uplink address: that is the source it saw.
        string neighbours = remote.Exec("ip", "-6", "neigh", "show", "dev", "x0");
        Assert.Contains("2001:db8:1::1", neighbours, StringComparison.Ordinal);
        Assert.DoesNotContain("fd00:aa::", neighbours, StringComparison.Ordinal);

        string tool = rules.Variant == IptablesVariant.Nft ? "ip6tables-nft" : "ip6tables-legacy";
        string counters = router.Exec(tool, "-t", "nat", "-L", IptablesMasqueradeBackend.ChainName(Network), "-v", "-x", "-n");
        string masqueradeLine = counters.Split('\n').Single(l => l.Contains("MASQUERADE", StringComparison.Ordinal));
        Assert.NotEqual("0", masqueradeLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);
    }
}
