using CniV6.Netlink;
using CniV6.Netlink.Kernel;

namespace CniV6.UnitTests.Netlink;

public sealed class NetlinkReaderTests
{
    private static readonly ushort[] MessageTypes =
    [
        NetlinkHeaders.NLMSG_ERROR, NetlinkHeaders.NLMSG_DONE,
        RtnetlinkHeaders.RTM_NEWLINK, RtnetlinkHeaders.RTM_NEWADDR, RtnetlinkHeaders.RTM_NEWROUTE,
    ];

    [Fact]
    public void Messages_of_a_datagram_are_read_in_order_with_their_header_fields()
    {
        byte[] datagram = [.. KernelMessages.Link(1, "lo")(7), .. KernelMessages.Link(2, "eth0")(7), .. KernelMessages.Done()(7)];
        var reader = new NetlinkMessageReader(datagram);
        var seen = new List<(ushort Type, uint Seq, uint Port, int Length)>();

        while (reader.TryRead(out NetlinkMessage message))
        {
            seen.Add((message.Type, message.Sequence, message.PortId, message.Payload.Length));
        }

        Assert.Equal(
            [
                (RtnetlinkHeaders.RTM_NEWLINK, 7u, ScriptedTransport.OurPortId, 16 + 8 + 8), // ifinfomsg, "lo\0" padded, IFLA_MTU
                (RtnetlinkHeaders.RTM_NEWLINK, 7u, ScriptedTransport.OurPortId, 16 + 12 + 8), // ifinfomsg, "eth0\0" padded, IFLA_MTU
                (NetlinkHeaders.NLMSG_DONE, 7u, ScriptedTransport.OurPortId, 4),
            ],
            seen);
    }

    [Theory]
    [InlineData("0f000000")] // shorter than a header
    [InlineData("0c000000" + "1000" + "0000" + "00000000" + "00000000")] // nlmsg_len 12 < header
    [InlineData("40000000" + "1000" + "0000" + "00000000" + "00000000")] // nlmsg_len 64 > 16 bytes present
    [InlineData("ffffffff" + "1000" + "0000" + "00000000" + "00000000")] // nlmsg_len far beyond
    public void A_message_length_that_does_not_fit_is_a_decode_error(string hex)
    {
        byte[] datagram = Convert.FromHexString(hex);

        Assert.Throws<NetlinkDecodeException>(() =>
        {
            var reader = new NetlinkMessageReader(datagram);
            while (reader.TryRead(out _))
            {
            }
        });
    }

    [Theory]
    [InlineData("0300")] // shorter than an attribute header
    [InlineData("0300" + "0100")] // nla_len 3 < header
    [InlineData("0900" + "0100" + "aabbcc")] // nla_len 9 > 7 bytes present
    public void An_attribute_length_that_does_not_fit_is_a_decode_error(string hex)
    {
        byte[] attributes = Convert.FromHexString(hex);

        Assert.Throws<NetlinkDecodeException>(() =>
        {
            var reader = new NetlinkAttributeReader(attributes);
            while (reader.TryRead(out _, out _))
            {
            }
        });
    }

    [Fact]
    public void Attribute_types_lose_their_nested_and_byte_order_bits_and_the_last_one_may_lack_padding()
    {
        byte[] attributes = Convert.FromHexString("0800" + "1280" + "01020304" + "0500" + "0340" + "ff");
        var reader = new NetlinkAttributeReader(attributes);

        Assert.True(reader.TryRead(out ushort first, out ReadOnlySpan<byte> firstValue));
        Assert.Equal(IfLinkHeaders.IFLA_LINKINFO, first);
        Assert.Equal(4, firstValue.Length);
        Assert.True(reader.TryRead(out ushort second, out ReadOnlySpan<byte> secondValue));
        Assert.Equal(IfLinkHeaders.IFLA_IFNAME, second);
        Assert.Equal(0xff, secondValue[0]);
        Assert.False(reader.TryRead(out _, out _));
    }

    [Fact]
    public void Random_garbage_fails_only_with_decode_errors()
    {
        var random = new Random(20261124);
        int decodeErrors = 0;
        for (int round = 0; round < 5000; round++)
        {
            byte[] datagram = new byte[random.Next(0, 200)];
            random.NextBytes(datagram);
            if (datagram.Length >= 16 && random.Next(2) == 0)
            {
                // Make the header plausible half of the time so the payload decoders get exercised too.
                BitConverter.TryWriteBytes(datagram, (uint)datagram.Length);
                BitConverter.TryWriteBytes(datagram.AsSpan(4), MessageTypes[random.Next(MessageTypes.Length)]);
            }

            try
            {
                DecodeEverything(datagram);
            }
            catch (NetlinkDecodeException)
            {
                decodeErrors++;
            }
        }

        Assert.True(decodeErrors > 0);
    }

    [Fact]
    public void A_truncated_link_message_is_a_decode_error()
    {
        byte[] message = KernelMessages.Link(3, "eth0")(1);
        byte[] truncated = message[..20];
        BitConverter.TryWriteBytes(truncated, 20u);

        Assert.Throws<NetlinkDecodeException>(() => DecodeEverything(truncated));
    }

    private static void DecodeEverything(byte[] datagram)
    {
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out NetlinkMessage message))
        {
            switch (message.Type)
            {
                case RtnetlinkHeaders.RTM_NEWLINK:
                    _ = RtNetlink.ParseLink(message);
                    break;
                case RtnetlinkHeaders.RTM_NEWADDR:
                    _ = RtNetlink.ParseAddress(message);
                    break;
                case RtnetlinkHeaders.RTM_NEWROUTE:
                    _ = RtNetlink.ParseRoute(message);
                    break;
                case NetlinkHeaders.NLMSG_ERROR:
                    _ = NetlinkError.Parse(message);
                    break;
                case NetlinkHeaders.NLMSG_DONE:
                    _ = NetlinkError.ParseDone(message);
                    break;
            }
        }
    }
}
