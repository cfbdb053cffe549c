using CniV6.Linux;

namespace CniV6.UnitTests.Linux;

public sealed class SysctlKeyTests
{
    [Theory]
    [InlineData("net/ipv6/conf/eth0/accept_dad", "/proc/sys/net/ipv6/conf/eth0/accept_dad")]
    [InlineData("net/ipv4/conf/eth0.100/proxy_arp", "/proc/sys/net/ipv4/conf/eth0.100/proxy_arp")]
    public void A_key_maps_below_proc_sys(string key, string expected)
    {
        Assert.Equal(expected, Sysctl.PathOf(key));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("net/../../etc/passwd")]
    [InlineData("net//ipv6")]
    [InlineData("net/./ipv6")]
    [InlineData("net/ipv6/")]
    public void A_key_that_could_escape_proc_sys_is_rejected(string key)
    {
        Assert.Throws<ArgumentException>(() => Sysctl.PathOf(key));
    }
}
