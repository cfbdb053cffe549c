using System.Net;
using System.Net.Sockets;
using CniV6.Core.Ipam;

namespace CniV6.UnitTests.Ipam;

public sealed class CidrTests
{
    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("255.255.255.255")]
    [InlineData("fd00::1")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    public void Address_round_trips_through_UInt128(string text)
    {
        var address = IPAddress.Parse(text);
        Assert.Equal(address, Cidr.FromUInt128(Cidr.ToUInt128(address), address.AddressFamily));
    }

    [Fact]
    public void IPv4_address_maps_to_its_32_bit_value()
    {
        Assert.Equal((UInt128)0x0A010203, Cidr.ToUInt128(IPAddress.Parse("10.1.2.3")));
    }

    [Theory]
    [InlineData("10.0.0.0/24", "256")]
    [InlineData("10.0.0.0/32", "1")]
    [InlineData("0.0.0.0/0", "4294967296")]
    [InlineData("fd00::/112", "65536")]
    [InlineData("fd00::/64", "18446744073709551616")]
    [InlineData("fd00::/128", "1")]
    public void Size_counts_every_address(string cidr, string expected)
    {
        Assert.Equal(UInt128.Parse(expected), Cidr.Size(IPNetwork.Parse(cidr)));
    }

    [Fact]
    public void Size_of_the_whole_IPv6_space_saturates()
    {
        Assert.Equal(UInt128.MaxValue, Cidr.Size(IPNetwork.Parse("::/0")));
    }

    [Fact]
    public void AddressAt_and_OffsetOf_are_inverse_and_carry_across_bytes()
    {
        var pool = IPNetwork.Parse("fd00:0:0:1::/64");
        IPAddress address = Cidr.AddressAt(pool, 0x1_0000);
        Assert.Equal(IPAddress.Parse("fd00:0:0:1::1:0"), address);
        Assert.Equal((UInt128)0x1_0000, Cidr.OffsetOf(pool, address));
        Assert.Equal(IPAddress.Parse("10.0.1.0"), Cidr.AddressAt(IPNetwork.Parse("10.0.0.0/23"), 256));
    }

    [Fact]
    public void AddressAt_rejects_an_offset_beyond_the_block()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Cidr.AddressAt(IPNetwork.Parse("10.0.0.0/30"), 4));
    }

    [Fact]
    public void Contains_requires_the_same_family()
    {
        var v4 = IPNetwork.Parse("10.0.0.0/8");
        Assert.True(Cidr.Contains(v4, IPAddress.Parse("10.255.0.1")));
        Assert.False(Cidr.Contains(v4, IPAddress.Parse("11.0.0.1")));
        Assert.False(Cidr.Contains(v4, IPAddress.Parse("::ffff:10.0.0.1")));
        Assert.False(Cidr.Contains(IPNetwork.Parse("::/0"), IPAddress.Parse("10.0.0.1")));
        Assert.True(Cidr.Contains(IPNetwork.Parse("::/0"), IPAddress.Parse("fd00::1")));
    }

    [Theory]
    [InlineData("fd00::/64", "fd00::/112", true)]
    [InlineData("fd00::/112", "fd00::/64", true)]
    [InlineData("fd00::/112", "fd00::1:0/112", false)]
    [InlineData("10.0.0.0/24", "10.0.0.128/25", true)]
    [InlineData("10.0.0.0/25", "10.0.0.128/25", false)]
    [InlineData("10.0.0.0/8", "::/0", false)]
    public void Overlaps_detects_nested_blocks(string a, string b, bool expected)
    {
        Assert.Equal(expected, Cidr.Overlaps(IPNetwork.Parse(a), IPNetwork.Parse(b)));
    }

    [Fact]
    public void Format_writes_the_canonical_lowercase_form()
    {
        Assert.Equal("fd00:10:244::/56", Cidr.Format(IPNetwork.Parse("FD00:10:244::/56")));
        Assert.Equal("10.0.0.0/24", Cidr.Format(IPNetwork.Parse("10.0.0.0/24")));
    }

    [Fact]
    public void AddressBits_rejects_other_families()
    {
        Assert.Equal(128, Cidr.AddressBits(AddressFamily.InterNetworkV6));
        Assert.Throws<ArgumentException>(() => Cidr.AddressBits(AddressFamily.Unix));
    }
}
