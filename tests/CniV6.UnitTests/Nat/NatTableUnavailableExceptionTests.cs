using System.Net.Sockets;
using CniV6.Core.Nat;

namespace CniV6.UnitTests.Nat;

public sealed class NatTableUnavailableExceptionTests
{
    [Theory]
    [InlineData("ip6tables-restore v1.8.9 (legacy): can't initialize ip6tables table `nat': Table does not exist (do you need to insmod?)\nPerhaps ip6tables or your kernel needs to be upgraded.", true)]
    [InlineData("ip6tables-save v1.8.9 (legacy): Cannot initialize: Address family not supported by protocol", true)]
    [InlineData("iptables-restore v1.8.9: Couldn't load target `MASQUERADE':No such file or directory", true)]
    [InlineData("iptables-restore v1.8.9 (legacy): can't initialize iptables table `nat': Permission denied (you must be root)", false)]
    [InlineData("iptables-restore: line 3 failed", false)]
    public void Recognises_only_messages_of_a_missing_nat_table(string stderr, bool expected)
    {
        Assert.Equal(expected, NatTableUnavailableException.Matches(stderr));
    }

    [Fact]
    public void IPv4_names_iptable_nat()
    {
        var e = new NatTableUnavailableException(AddressFamily.InterNetwork, "iptables-nft-save -t nat", 1, "x");
        Assert.Equal("iptable_nat", e.KernelModule);
        Assert.Contains("iptable_nat and nf_nat", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("IPv6", e.Message, StringComparison.Ordinal);
    }
}
