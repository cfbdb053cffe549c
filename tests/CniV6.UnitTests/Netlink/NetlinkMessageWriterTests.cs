using System.Net;
using CniV6.Netlink;
using CniV6.Netlink.Kernel;

namespace CniV6.UnitTests.Netlink;

public sealed class NetlinkMessageWriterTests
{
    [Fact]
    public void A_link_up_request_is_encoded_byte_for_byte()
    {
        Span<byte> buffer = stackalloc byte[64];
        var writer = new NetlinkMessageWriter(buffer, RtnetlinkHeaders.RTM_NEWLINK,
            NetlinkHeaders.NLM_F_REQUEST | NetlinkHeaders.NLM_F_ACK, 0x01020304);
        new IfInfoMsg(0, 0, 7, IfLinkHeaders.IFF_UP, IfLinkHeaders.IFF_UP).WriteTo(writer.Reserve(IfInfoMsg.Size));

        byte[] message = writer.Complete().ToArray();

        Assert.Equal(Convert.FromHexString(
            "20000000" + "1000" + "0500" + "04030201" + "00000000" + // nlmsghdr: len 32, RTM_NEWLINK, REQUEST|ACK, seq, pid 0
            "00" + "00" + "0000" + "07000000" + "01000000" + "01000000"), // ifinfomsg: AF_UNSPEC, index 7, IFF_UP/IFF_UP
            message);
    }

    [Fact]
    public void An_address_request_is_encoded_byte_for_byte()
    {
        Span<byte> buffer = stackalloc byte[128];
        var writer = new NetlinkMessageWriter(buffer, RtnetlinkHeaders.RTM_NEWADDR, 0x0605, 9);
        new IfAddrMsg(10, 128, 2, 0, 3).WriteTo(writer.Reserve(IfAddrMsg.Size));
        writer.WriteAddress(IfAddrHeaders.IFA_ADDRESS, IPAddress.Parse("2001:db8::1"));
        writer.WriteUInt32(IfAddrHeaders.IFA_FLAGS, IfAddrHeaders.IFA_F_NODAD);

        byte[] message = writer.Complete().ToArray();

        Assert.Equal(Convert.FromHexString(
            "34000000" + "1400" + "0506" + "09000000" + "00000000" + // len 52, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
            "0a" + "80" + "02" + "00" + "03000000" + // ifaddrmsg: AF_INET6, /128, NODAD, universe, index 3
            "1400" + "0100" + "20010db8000000000000000000000001" + // IFA_ADDRESS: 4 + 16, network byte order
            "0800" + "0800" + "02000000"), // IFA_FLAGS: IFA_F_NODAD
            message);
    }

    [Fact]
    public void String_attributes_are_NUL_terminated_and_padded_to_four_bytes()
    {
        Span<byte> buffer = stackalloc byte[64];
        var writer = new NetlinkMessageWriter(buffer, 1, 0, 0);
        writer.WriteString(IfLinkHeaders.IFLA_IFNAME, "eth0");
        writer.WriteUInt8(99, 0xAB);

        byte[] message = writer.Complete().ToArray();

        Assert.Equal(Convert.FromHexString(
            "24000000" + "0100" + "0000" + "00000000" + "00000000" +
            "0900" + "0300" + "6574683000" + "000000" + // nla_len 9 = 4 + "eth0\0", then 3 bytes of padding
            "0500" + "6300" + "ab" + "000000"), // nla_len 5, padded to 8
            message);
        Assert.Equal(0, message.Length % 4);
    }

    [Fact]
    public void Nested_attribute_lengths_are_back_patched_and_flagged_nested()
    {
        Span<byte> buffer = stackalloc byte[128];
        var writer = new NetlinkMessageWriter(buffer, RtnetlinkHeaders.RTM_NEWLINK, 0, 0);
        using (writer.BeginNested(IfLinkHeaders.IFLA_LINKINFO))
        {
            writer.WriteString(IfLinkHeaders.IFLA_INFO_KIND, "veth");
            using (writer.BeginNested(IfLinkHeaders.IFLA_INFO_DATA))
            {
                writer.WriteUInt32(7, 0x11223344);
            }
        }

        writer.WriteUInt32(IfLinkHeaders.IFLA_MTU, 1500);
        byte[] message = writer.Complete().ToArray();

        Assert.Equal(Convert.FromHexString(
            "34000000" + "1000" + "0000" + "00000000" + "00000000" + // len 52 = 16 + 28 + 8
            "1c00" + "1280" + // IFLA_LINKINFO | NLA_F_NESTED, nla_len 28 = 4 + 12 + 12
            "0900" + "0100" + "7665746800" + "000000" + // IFLA_INFO_KIND "veth"
            "0c00" + "0280" + // IFLA_INFO_DATA | NLA_F_NESTED, nla_len 12
            "0800" + "0700" + "44332211" +
            "0800" + "0400" + "dc050000"), // IFLA_MTU after the nest: back at the outer level
            message);
    }

    [Fact]
    public void Disposing_a_nested_scope_twice_changes_nothing()
    {
        Span<byte> buffer = stackalloc byte[64];
        var writer = new NetlinkMessageWriter(buffer, 1, 0, 0);
        var scope = writer.BeginNested(5);
        writer.WriteUInt32(1, 1);
        scope.Dispose();
        writer.WriteUInt32(2, 2);
        scope.Dispose();

        byte[] message = writer.Complete().ToArray();

        Assert.Equal(12, BitConverter.ToUInt16(message, 16));
    }

    [Fact]
    public void A_message_that_does_not_fit_its_buffer_is_refused()
    {
        byte[] buffer = new byte[24];

        Assert.Throws<InvalidOperationException>(() =>
        {
            var writer = new NetlinkMessageWriter(buffer, 1, 0, 0);
            writer.WriteString(IfLinkHeaders.IFLA_IFNAME, "eth0");
        });
    }

    [Fact]
    public void An_IPv4_address_attribute_has_four_bytes()
    {
        Span<byte> buffer = stackalloc byte[64];
        var writer = new NetlinkMessageWriter(buffer, 1, 0, 0);
        writer.WriteAddress(IfAddrHeaders.IFA_LOCAL, IPAddress.Parse("169.254.1.1"));

        byte[] message = writer.Complete().ToArray();

        Assert.Equal(Convert.FromHexString("0800" + "0200" + "a9fe0101"), message[16..]);
    }
}
