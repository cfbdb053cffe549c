using CniV6.Core.Forwarding;
using CniV6.IntegrationTests.Nat;
using CniV6.Linux;

namespace CniV6.IntegrationTests.Forwarding;

/// <summary>ForwardingSysctls against the real /proc/sys of a throwaway namespace.</summary>
public sealed class ForwardingSysctlsIntegrationTests : IDisposable
{
    private readonly NatTestNamespace ns = new();

    public void Dispose() => ns.Dispose();

    [Fact]
    public void Enable_inside_a_namespace_keeps_RA_on_uplinks_and_turns_on_forwarding()
    {
        // A veth pair stands in for an RA-configured uplink and an interface with RAs turned off.
        ns.Exec("ip", "link", "add", "up0", "type", "veth", "peer", "name", "quiet0");
        ns.Exec("sysctl", "-q", "-w", "net.ipv6.conf.up0.accept_ra=1");
        ns.Exec("sysctl", "-q", "-w", "net.ipv6.conf.quiet0.accept_ra=0");
        string hostForwarding = File.ReadAllText("/proc/sys/net/ipv6/conf/all/forwarding");

        IReadOnlyList<string> changed = NetNamespace.Run("/run/netns/" + ns.Name, () => new ForwardingSysctls().Enable(ipv6: true, ipv4: true));

        Assert.Contains("net/ipv6/conf/up0/accept_ra", changed);
        Assert.DoesNotContain("net/ipv6/conf/quiet0/accept_ra", changed);
        Assert.Equal("2", Read("net.ipv6.conf.up0.accept_ra"));
        Assert.Equal("0", Read("net.ipv6.conf.quiet0.accept_ra"));
        Assert.Equal("1", Read("net.ipv6.conf.all.forwarding"));
        Assert.Equal("1", Read("net.ipv6.conf.up0.forwarding"));
        Assert.Equal("1", Read("net.ipv4.ip_forward"));
        Assert.Equal(hostForwarding, File.ReadAllText("/proc/sys/net/ipv6/conf/all/forwarding"));

        Assert.Empty(NetNamespace.Run("/run/netns/" + ns.Name, () => new ForwardingSysctls().Enable(ipv6: true, ipv4: true)));
    }

    private string Read(string key) => ns.Exec("sysctl", "-n", key).Trim();
}
