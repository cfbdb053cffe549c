using System.Net;
using System.Net.Sockets;
using CniV6.Netlink;

namespace CniV6.UnitTests.Netlink;

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
    [InlineData("10.1/16", "IPv4 dotted quad")]
    [InlineData("0x0a.0.0.1/8", "IPv4 dotted quad")]
    [InlineData("10.0.0.1", "no prefix length")]
    [InlineData("10.0.0.1/", "from 0 to 32")]
    [InlineData("10.0.0.1/+8", "from 0 to 32")]
    [InlineData("10.0.0.1/33", "from 0 to 32")]
    [InlineData("fd00::/129", "from 0 to 128")]
    [InlineData("fe80::1%eth0/64", "zone id")]
    [InlineData("/64", "address is empty")]
    [InlineData("fd00::/0064", "from 0 to 128")]
    [InlineData("fd00::g/64", "not a valid IPv6 address")]
    public void Lenient_or_invalid_forms_are_refused_with_the_reason(string text, string reason)
    {
        Assert.False(Cidr.TryParse(text, out _, out _));
        Assert.False(Cidr.TryParse(text, out _, out _, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.1.2.3", 24, "10.1.2.0/24")]
    [InlineData("10.1.255.7", 15, "10.0.0.0/15")]
    [InlineData("2001:db8::1", 64, "2001:db8::/64")]
    [InlineData("2001:db8::1", 128, "2001:db8::1/128")]
    [InlineData("fd00:10:244::5", 44, "fd00:10:240::/44")]
    [InlineData("::", 0, "::/0")]
    [InlineData("255.255.255.255", 0, "0.0.0.0/0")]
    [InlineData("10.255.255.255", 9, "10.128.0.0/9")]
    public void NetworkOf_clears_the_host_bits(string address, int prefixLength, string expected)
    {
        Assert.Equal(IPNetwork.Parse(expected), Cidr.NetworkOf(IPAddress.Parse(address), prefixLength));
    }

    [Theory]
    [InlineData("10.0.0.1", 33)]
    [InlineData("fd00::1", 129)]
    [InlineData("fd00::1", -1)]
    public void NetworkOf_refuses_a_prefix_length_the_family_cannot_have(string address, int prefixLength)
    {
        Assert.False(Cidr.IsValidPrefixLength(IPAddress.Parse(address), prefixLength));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cidr.NetworkOf(IPAddress.Parse(address), prefixLength));
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.0", "10.0.0.255")]
    [InlineData("10.0.0.7/32", "10.0.0.7", "10.0.0.7")]
    [InlineData("0.0.0.0/0", "0.0.0.0", "255.255.255.255")]
    [InlineData("fd00:10:244:100::/56", "fd00:10:244:100::", "fd00:10:244:1ff:ffff:ffff:ffff:ffff")]
    [InlineData("::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    public void First_and_last_are_the_ends_of_the_block(string cidr, string first, string last)
    {
        var network = IPNetwork.Parse(cidr);

        Assert.Equal(IPAddress.Parse(first), Cidr.First(network));
        Assert.Equal(IPAddress.Parse(last), Cidr.Last(network));
        Assert.True(Cidr.Contains(network, Cidr.Last(network)));
    }

    [Fact]
    public void ParseNetwork_refuses_host_bits_and_names_the_network_meant()
    {
        Assert.Equal(IPNetwork.Parse("fd00:10:244::/64"), Cidr.ParseNetwork("fd00:10:244::/64"));

        var error = Assert.Throws<FormatException>(() => Cidr.ParseNetwork("fd00:10:244::1/64"));
        Assert.Equal("\"fd00:10:244::1/64\" is not a network: it has host bits set; the network is fd00:10:244::/64", error.Message);
        Assert.Contains("no prefix length", Assert.Throws<FormatException>(() => Cidr.ParseNetwork("10.0.0.0")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Family_is_the_family_of_the_base_address()
    {
        Assert.Equal(AddressFamily.InterNetworkV6, Cidr.Family(IPNetwork.Parse("fd00::/8")));
        Assert.Equal(AddressFamily.InterNetwork, Cidr.Family(IPNetwork.Parse("10.0.0.0/8")));
    }
}
