using CniV6.Core.Forwarding;

namespace CniV6.UnitTests.Forwarding;

public sealed class ForwardingSysctlsTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("cv6n-procsys-").FullName;

    public ForwardingSysctlsTests()
    {
        foreach ((string iface, string acceptRa) in new[] { ("all", "1"), ("default", "1"), ("lo", "1"), ("eth0", "1"), ("eth1", "0"), ("eth2", "2") })
        {
            Put($"net/ipv6/conf/{iface}/accept_ra", acceptRa + "\n");
            Put($"net/ipv6/conf/{iface}/forwarding", "0\n");
        }

        Put("net/ipv4/ip_forward", "0\n");
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void IPv6_switches_accept_ra_1_to_2_before_turning_on_forwarding()
    {
        IReadOnlyList<string> changed = new ForwardingSysctls(root).Enable(ipv6: true, ipv4: false);

        Assert.Equal(
            ["net/ipv6/conf/eth0/accept_ra", "net/ipv6/conf/lo/accept_ra", "net/ipv6/conf/all/forwarding"],
            changed);
        Assert.Equal("2", Get("net/ipv6/conf/eth0/accept_ra"));
        Assert.Equal("0", Get("net/ipv6/conf/eth1/accept_ra"));
        Assert.Equal("2", Get("net/ipv6/conf/eth2/accept_ra"));
        Assert.Equal("1", Get("net/ipv6/conf/all/accept_ra"));
        Assert.Equal("1", Get("net/ipv6/conf/default/accept_ra"));
        Assert.Equal("1", Get("net/ipv6/conf/all/forwarding"));
        Assert.Equal("0", Get("net/ipv4/ip_forward"));
    }

    [Fact]
    public void IPv4_sets_ip_forward_only()
    {
        Assert.Equal(["net/ipv4/ip_forward"], new ForwardingSysctls(root).Enable(ipv6: false, ipv4: true));
        Assert.Equal("1", Get("net/ipv4/ip_forward"));
        Assert.Equal("1", Get("net/ipv6/conf/eth0/accept_ra"));
    }

    [Fact]
    public void Already_enabled_node_needs_no_write()
    {
        var sysctls = new ForwardingSysctls(root);
        sysctls.Enable(ipv6: true, ipv4: true);
        DateTime[] before = [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order().Select(File.GetLastWriteTimeUtc)];
        Thread.Sleep(20);

        Assert.Empty(sysctls.Enable(ipv6: true, ipv4: true));
        Assert.Equal(before, Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order().Select(File.GetLastWriteTimeUtc));
    }

    [Fact]
    public void EnsureEnabled_with_forwarding_on_reads_no_interface()
    {
        Put("net/ipv6/conf/all/forwarding", "1");
        Put("net/ipv4/ip_forward", "1");

        Assert.Empty(new ForwardingSysctls(root).EnsureEnabled(ipv6: true, ipv4: true));
        Assert.Equal("1", Get("net/ipv6/conf/eth0/accept_ra")); // left for the agent's full pass
    }

    [Fact]
    public void EnsureEnabled_with_forwarding_off_does_the_full_pass()
    {
        IReadOnlyList<string> changed = new ForwardingSysctls(root).EnsureEnabled(ipv6: true, ipv4: false);

        Assert.Contains("net/ipv6/conf/all/forwarding", changed);
        Assert.Equal("2", Get("net/ipv6/conf/eth0/accept_ra"));
    }

    [Fact]
    public void IPv6_disabled_in_the_kernel_is_a_clear_error()
    {
        Directory.Delete(Path.Combine(root, "net/ipv6"), recursive: true);

        var e = Assert.Throws<InvalidOperationException>(() => new ForwardingSysctls(root).Enable(ipv6: true, ipv4: true));
        Assert.Contains("IPv6 is disabled", e.Message, StringComparison.Ordinal);
        Assert.Equal("0", Get("net/ipv4/ip_forward"));
    }

    private void Put(string key, string value)
    {
        string path = Path.Combine(root, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, value);
    }

    private string Get(string key) => File.ReadAllText(Path.Combine(root, key)).Trim();
}
