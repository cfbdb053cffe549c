using System.Net;
using CniV6.Core.Nat;

namespace CniV6.IntegrationTests.Nat;

/// <summary>
/// Packets really get masqueraded by our nftables table: a "pod" namespace behind a "router" talks to a "remote" that
/// has no route back to the pool, so an answer only arrives when the router rewrote the source to its uplink address.
/// </summary>
public sealed class NftablesMasqueradeTrafficTests : IDisposable
{
    private const string Network = "cv6q-traffic";
    private static readonly IPNetwork[] Pools = [IPNetwork.Parse("fd00:aa::/64"), IPNetwork.Parse("10.244.0.0/24")];

    private readonly NatTestNamespace pod = new(NftablesMasqueradeBackendIntegrationTests.Prefix);
    private readonly NatTestNamespace router = new(NftablesMasqueradeBackendIntegrationTests.Prefix);
    private readonly NatTestNamespace remote = new(NftablesMasqueradeBackendIntegrationTests.Prefix);
    private readonly string lockDirectory = Directory.CreateTempSubdirectory("cv6q-lock-").FullName;

    public NftablesMasqueradeTrafficTests()
    {
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
        Directory.Delete(lockDirectory, recursive: true);
    }

    [Fact]
    public void Pool_sources_reach_a_remote_only_after_masquerading_and_appear_as_the_router()
    {
        Assert.NotEqual(0, pod.TryExec("ping", "-6", "-c", "1", "-W", "1", "2001:db8:1::2").ExitCode);
        Assert.NotEqual(0, pod.TryExec("ping", "-4", "-c", "1", "-W", "1", "192.0.2.2").ExitCode);

        router.Run(() => new NftablesMasqueradeBackend(lockDirectory, removeFromIptables: null).Ensure(MasqueradePlan.For(Network, Pools, [])));

        Assert.Equal(0, pod.TryExec("ping", "-6", "-c", "1", "-W", "2", "2001:db8:1::2").ExitCode);
        Assert.Equal(0, pod.TryExec("ping", "-4", "-c", "1", "-W", "2", "192.0.2.2").ExitCode);

        // The remote only ever saw the router's uplink addresses as the source.
        Assert.Contains("2001:db8:1::1", remote.Exec("ip", "-6", "neigh", "show", "dev", "x0"), StringComparison.Ordinal);
        Assert.DoesNotContain("fd00:aa::", remote.Exec("ip", "-6", "neigh", "show", "dev", "x0"), StringComparison.Ordinal);
        Assert.DoesNotContain("10.244.0.", remote.Exec("ip", "-4", "neigh", "show", "dev", "x0"), StringComparison.Ordinal);

        // Both masquerade rules counted packets.
        string listing = router.Exec("nft", "list", "chain", "inet", NftablesMasqueradeBackend.Table, NftablesMasqueradeBackend.ChainName(Network));
        string[] masquerades = [.. listing.Split('\n').Where(l => l.Contains("masquerade", StringComparison.Ordinal) && l.Contains("counter", StringComparison.Ordinal))];
        Assert.Equal(2, masquerades.Length);
        Assert.All(masquerades, l => Assert.DoesNotContain("packets 0 ", l, StringComparison.Ordinal));
    }
}
