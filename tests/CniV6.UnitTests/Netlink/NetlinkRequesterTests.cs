using CniV6.Linux;
using CniV6.Netlink;
using CniV6.Netlink.Kernel;

namespace CniV6.UnitTests.Netlink;

public sealed class NetlinkRequesterTests
{
    [Fact]
    public void Execute_returns_on_the_ack_for_its_own_request_and_skips_everything_else()
    {
        var transport = new ScriptedTransport()
            .Reply(KernelMessages.Failure(Errno.EEXIST, "stale", seqOffset: -1)) // answer to an earlier request
            .Reply(seq => KernelMessages.Error(seq, ScriptedTransport.OurPortId + 1, Errno.EPERM, null)) // another socket's
            .Reply(KernelMessages.Ack());
        using var requester = new NetlinkRequester(transport, 100);

        requester.Execute(Request(), "test");

        Assert.Single(transport.Sent);
        Assert.Equal(101u, transport.LastSequence);
    }

    [Fact]
    public void Execute_turns_an_error_into_NetlinkException_with_errno_and_extended_ack()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Failure(Errno.EEXIST, "File exists in table"));
        using var requester = new NetlinkRequester(transport, 1);

        var ex = Assert.Throws<NetlinkException>(() => requester.Execute(Request(), "RTM_NEWLINK veth"));

        Assert.Equal(17, ex.Errno);
        Assert.Equal("File exists in table", ex.ExtendedAck);
        Assert.Equal("RTM_NEWLINK veth", ex.Operation);
        Assert.Contains("RTM_NEWLINK veth failed", ex.Message);
        Assert.Contains("File exists in table", ex.Message);
    }

    [Fact]
    public void An_uncapped_error_skips_the_echoed_request_before_reading_the_extended_ack()
    {
        var transport = new ScriptedTransport().Reply(seq => KernelMessages.Message(
            NetlinkHeaders.NLMSG_ERROR, NetlinkHeaders.NLM_F_ACK_TLVS, seq, ScriptedTransport.OurPortId,
            (ref NetlinkMessageWriter w) =>
            {
                Span<byte> body = w.Reserve(4 + 24);
                BitConverter.TryWriteBytes(body, -Errno.EINVAL);
                BitConverter.TryWriteBytes(body[4..], 22u); // echoed request of 22 bytes, padded to 24
                w.WriteString(NetlinkHeaders.NLMSGERR_ATTR_MSG, "Invalid prefix");
            }));
        using var requester = new NetlinkRequester(transport, 1);

        var ex = Assert.Throws<NetlinkException>(() => requester.Execute(Request(), "test"));

        Assert.Equal(Errno.EINVAL, ex.Errno);
        Assert.Equal("Invalid prefix", ex.ExtendedAck);
    }

    [Fact]
    public void Get_returns_the_parsed_answer_or_null_for_the_absent_errno()
    {
        var transport = new ScriptedTransport()
            .Reply(KernelMessages.Link(3, "eth0", flags: 0))
            .Reply(KernelMessages.Failure(Errno.ENODEV));
        using var requester = new NetlinkRequester(transport, 1);

        LinkInfo? found = requester.Get(Request(), "get", RtNetlink.ParseLink, Errno.ENODEV);
        LinkInfo? missing = requester.Get(Request(), "get", RtNetlink.ParseLink, Errno.ENODEV);

        Assert.Equal(("eth0", 3, 1500, true), (found!.Name, found.Index, found.Mtu, found.IsUp));
        Assert.Null(missing);
    }

    [Fact]
    public void Get_rethrows_other_errors()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Failure(Errno.EPERM));
        using var requester = new NetlinkRequester(transport, 1);

        var ex = Assert.Throws<NetlinkException>(() => requester.Get(Request(), "get", RtNetlink.ParseLink, Errno.ENODEV));

        Assert.Equal(Errno.EPERM, ex.Errno);
    }

    [Fact]
    public void Dump_collects_messages_across_datagrams_until_done()
    {
        var transport = new ScriptedTransport()
            .Reply(KernelMessages.Link(1, "lo"), KernelMessages.Link(2, "eth0"))
            .Reply(KernelMessages.Link(3, "eth1"), KernelMessages.Done());
        using var requester = new NetlinkRequester(transport, 1);

        List<LinkInfo> links = requester.Dump(Request(), "dump", RtNetlink.ParseLink);

        Assert.Equal(["lo", "eth0", "eth1"], links.Select(l => l.Name));
    }

    [Fact]
    public void An_interrupted_dump_is_thrown_away_and_asked_for_again()
    {
        var transport = new ScriptedTransport()
            .Reply(KernelMessages.Link(1, "lo"), KernelMessages.Link(2, "gone", NetlinkHeaders.NLM_F_MULTI | NetlinkHeaders.NLM_F_DUMP_INTR))
            .Reply(KernelMessages.Done(NetlinkHeaders.NLM_F_MULTI | NetlinkHeaders.NLM_F_DUMP_INTR))
            .Reply(KernelMessages.Link(1, "lo"), KernelMessages.Link(3, "new"), KernelMessages.Done());
        using var requester = new NetlinkRequester(transport, 1);

        List<LinkInfo> links = requester.Dump(Request(), "dump", RtNetlink.ParseLink);

        Assert.Equal(["lo", "new"], links.Select(l => l.Name));
        Assert.Equal(2, transport.Sent.Count);
        Assert.NotEqual(BitConverter.ToUInt32(transport.Sent[0], 8), BitConverter.ToUInt32(transport.Sent[1], 8));
    }

    [Fact]
    public void A_dump_interrupted_every_time_gives_up_after_a_bounded_number_of_attempts()
    {
        var transport = new ScriptedTransport();
        for (int i = 0; i < NetlinkRequester.MaxDumpAttempts; i++)
        {
            transport.Reply(KernelMessages.Link(1, "lo"), KernelMessages.Done(NetlinkHeaders.NLM_F_MULTI | NetlinkHeaders.NLM_F_DUMP_INTR));
        }

        using var requester = new NetlinkRequester(transport, 1);

        var ex = Assert.Throws<NetlinkException>(() => requester.Dump(Request(), "dump", RtNetlink.ParseLink));

        Assert.Equal(Errno.EINTR, ex.Errno);
        Assert.Equal(NetlinkRequester.MaxDumpAttempts, transport.Sent.Count);
    }

    [Fact]
    public void A_dump_that_fails_part_way_reports_the_error_from_NLMSG_DONE()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Link(1, "lo"), KernelMessages.Done(error: Errno.EBUSY));
        using var requester = new NetlinkRequester(transport, 1);

        var ex = Assert.Throws<NetlinkException>(() => requester.Dump(Request(), "dump", RtNetlink.ParseLink));

        Assert.Equal(Errno.EBUSY, ex.Errno);
    }

    [Fact]
    public void Replies_to_earlier_requests_inside_a_dump_are_ignored()
    {
        var transport = new ScriptedTransport()
            .Reply(seq => KernelMessages.Link(9, "stale")(seq - 1), KernelMessages.Link(1, "lo"), KernelMessages.Done());
        using var requester = new NetlinkRequester(transport, 1);

        Assert.Equal(["lo"], requester.Dump(Request(), "dump", RtNetlink.ParseLink).Select(l => l.Name));
    }

    [Fact]
    public void Sequence_numbers_wrap_around_without_using_zero()
    {
        var transport = new ScriptedTransport().Reply(KernelMessages.Ack());
        using var requester = new NetlinkRequester(transport, uint.MaxValue);

        requester.Execute(Request(), "test");

        Assert.Equal(1u, transport.LastSequence);
    }

    [Fact]
    public void Disposing_the_requester_closes_the_transport()
    {
        var transport = new ScriptedTransport();

        new NetlinkRequester(transport, 1).Dispose();

        Assert.True(transport.Disposed);
    }

    private static byte[] Request()
    {
        Span<byte> buffer = stackalloc byte[64];
        var writer = new NetlinkMessageWriter(buffer, RtnetlinkHeaders.RTM_GETLINK, NetlinkHeaders.NLM_F_REQUEST, 0);
        new IfInfoMsg(0, 0, 0, 0, 0).WriteTo(writer.Reserve(IfInfoMsg.Size));
        return writer.Complete().ToArray();
    }
}
