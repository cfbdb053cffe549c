using System.Buffers.Binary;
using System.Runtime.Versioning;
using CniV6.Netlink;

namespace CniV6.UnitTests.Fuzz;

/// <summary>
/// Fuzz finding (fixed in dd0de21, found again by this fuzzer on the code before that commit): an NLMSG_ERROR with
/// NLM_F_ACK_TLVS but not NLM_F_CAPPED echoes the request, and its claimed length was aligned and added to the
/// offset of the extended-ack attributes in <c>int</c>. An echoed length near 4 GiB overflowed that offset to a
/// negative number and slicing threw <see cref="ArgumentOutOfRangeException"/> out of <c>NetlinkError.Parse</c>.
/// The reply must instead surface as the kernel's errno (the garbled explanation dropped).
/// Input: <c>fuzz/corpus/netlink/finding-extack-echo-length-overflow.bin</c>.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ExtendedAckOffsetFuzzFindingTests
{
    private const ushort NlmsgError = 2;
    private const ushort AckTlvs = 0x200;

    [Fact]
    public void Fuzzer_input_with_huge_echoed_length_fails_the_request_with_its_errno()
    {
        var reply = FuzzCorpus.Read("netlink/finding-extack-echo-length-overflow.bin");
        using var netlink = new RtNetlink(new ReplayNetlinkTransport(reply));

        var escaped = Record.Exception(() => netlink.SetLinkUp(1));

        Assert.IsType<NetlinkException>(escaped);
    }

    [Theory]
    [InlineData(uint.MaxValue)]
    [InlineData(0x7FFF_FFFDu)]
    [InlineData(0x8000_0000u)]
    public void Error_whose_echoed_request_claims_more_than_was_sent_keeps_errno_and_drops_the_text(uint echoedLength)
    {
        var reply = ErrorReply(errno: 22, echoedLength);
        using var netlink = new RtNetlink(new ReplayNetlinkTransport(reply));

        var escaped = Record.Exception(() => netlink.SetLinkUp(1));

        var error = Assert.IsType<NetlinkException>(escaped);
        Assert.Equal(22, error.Errno);
        Assert.Null(error.ExtendedAck);
    }

    /// <summary>nlmsghdr + nlmsgerr whose echoed nlmsghdr claims <paramref name="echoedLength"/>, then an NLMSGERR_ATTR_MSG.</summary>
    private static byte[] ErrorReply(int errno, uint echoedLength)
    {
        var reply = new byte[16 + 4 + 16 + 8];
        var span = reply.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)reply.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], NlmsgError);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], AckTlvs);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], 4242);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], -errno);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], echoedLength);
        BinaryPrimitives.WriteUInt16LittleEndian(span[36..], 8);
        BinaryPrimitives.WriteUInt16LittleEndian(span[38..], 1);
        "bad\0"u8.CopyTo(span[40..]);
        return reply;
    }
}
