using System.Net;
using System.Runtime.Versioning;
using CniV6.Plugin.Cni;

namespace CniV6.UnitTests.Cni;

[SupportedOSPlatform("linux")]
public sealed class CidrTests
{
    [Theory]
    [InlineData("10.1.2.5/24", "10.1.2.5", 24)]
    [InlineData("fd00:10:244::5/128", "fd00:10:244::5", 128)]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0)]
    [InlineData("::/0", "::", 0)]
    public void Canonical_text_is_parsed(string text, string address, int prefixLength)
    {
        Assert.True(Cidr.TryParse(text, out var parsed, out var length));
        Assert.Equal(IPAddress.Parse(address), parsed);
        Assert.Equal(prefixLength, length);
    }

    [Theory]
    [InlineData("10.1/16")]
    [InlineData("0x0a.0.0.1/8")]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.0.1/")]
    [InlineData("10.0.0.1/+8")]
    [InlineData("10.0.0.1/33")]
    [InlineData("fd00::/129")]
    [InlineData("fe80::1%eth0/64")]
    [InlineData("/64")]
    [InlineData("fd00::/0064")]
    public void Lenient_or_invalid_forms_are_refused(string text)
    {
        Assert.False(Cidr.TryParse(text, out _, out _));
    }

    [Fact]
    public void ToNetwork_clears_the_host_bits()
    {
        Assert.Equal(IPNetwork.Parse("fd00:10:240::/44"), Cidr.ToNetwork(IPAddress.Parse("fd00:10:244::5"), 44));
        Assert.Equal(IPNetwork.Parse("10.1.0.0/15"), Cidr.ToNetwork(IPAddress.Parse("10.1.255.7"), 15));
    }
}
