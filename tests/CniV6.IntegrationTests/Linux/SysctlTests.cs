using CniV6.IntegrationTests.Infrastructure;
using CniV6.Linux;

namespace CniV6.IntegrationTests.Linux;

public sealed class SysctlTests
{
    [Fact]
    public void Write_inside_a_namespace_changes_that_namespace_only()
    {
        using var ns = new TestNetNs();
        string? hostValue = Sysctl.Read("net/ipv6/conf/lo/accept_dad");

        string? inside = NetNamespace.Run(ns.Path, () =>
        {
            Sysctl.Write("net/ipv6/conf/lo/accept_dad", hostValue == "0" ? "2" : "0");
            return Sysctl.Read("net/ipv6/conf/lo/accept_dad");
        });

        Assert.Equal(hostValue == "0" ? "2" : "0", inside);
        Assert.Equal(hostValue, Sysctl.Read("net/ipv6/conf/lo/accept_dad"));
        Assert.Equal(inside, ns.Exec("cat", "/proc/sys/net/ipv6/conf/lo/accept_dad").Trim());
    }

    [Fact]
    public void Read_of_a_missing_key_returns_null()
    {
        Assert.Null(Sysctl.Read("net/ipv6/conf/cv6t-none/accept_dad"));
    }

    [Fact]
    public void Write_of_a_missing_key_throws_with_ENOENT_and_TryWrite_returns_false()
    {
        using var ns = new TestNetNs();
        NetNamespace.Run(ns.Path, () =>
        {
            var ex = Assert.Throws<LinuxException>(() => Sysctl.Write("net/ipv6/conf/cv6t-none/accept_dad", "0"));
            Assert.Equal(Errno.ENOENT, ex.Errno);
            Assert.False(Sysctl.TryWrite("net/ipv6/conf/cv6t-none/accept_dad", "0"));
        });
    }

    [Fact]
    public void Write_of_a_value_the_kernel_rejects_throws_with_EINVAL()
    {
        using var ns = new TestNetNs();
        NetNamespace.Run(ns.Path, () =>
        {
            var ex = Assert.Throws<LinuxException>(() => Sysctl.Write("net/ipv4/ip_forward", "not-a-number"));
            Assert.Equal(Errno.EINVAL, ex.Errno);
            Assert.Equal("write", ex.CallName);
        });
    }
}
