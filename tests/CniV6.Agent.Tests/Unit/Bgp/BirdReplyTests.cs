using CniV6.Agent.Dataplane.Routing.Bgp;

namespace CniV6.Agent.Tests.Unit.Bgp;

/// <summary>BIRD's control-socket replies, as BIRD 2.0.12 wrote them in this repository's test namespaces.</summary>
public sealed class BirdReplyTests
{
    private const string ShowProtocols = """
        2002-Name       Proto      Table      State  Since         Info
        1002-cniv6_device Device     ---        up     10:37:23.205  
         cniv6_kernel6 Kernel     master6    up     10:37:23.205  
         mesh6_n2_0480a9 BGP        ---        up     10:37:25.001  Established   
         mesh4_n2_0480a9 BGP        ---        start  10:37:23.205  Active        Socket: Connection refused
         peer6_fd00__1_1a2b3c BGP        ---        start  2026-12-02 10:37:23  Idle          
        0000 
        """;

    [Fact]
    public void Show_protocols_yields_each_bgp_session_with_its_bgp_state_whatever_the_time_format()
    {
        var reply = BirdReply.Read(Lines(ShowProtocols));

        var sessions = BirdSessionState.Parse(reply);

        Assert.Equal(
        [
            new BirdSessionState("mesh6_n2_0480a9", "up", "Established"),
            new BirdSessionState("mesh4_n2_0480a9", "start", "Active"),
            new BirdSessionState("peer6_fd00__1_1a2b3c", "start", "Idle"),
        ], sessions);
        Assert.True(sessions[0].Established);
        Assert.Equal(0, reply.FinalCode);
    }

    [Fact]
    public void A_configure_reply_ends_at_its_final_line_and_an_error_code_is_an_error()
    {
        var next = Lines("0002-Reading configuration from /run/cniv6/bgp/bird.conf\n0003 Reconfigured\n0001 left for the next reply\n");
        var reply = BirdReply.Read(next);

        Assert.Equal(3, reply.FinalCode);
        Assert.False(reply.IsError);
        Assert.Equal("0001 left for the next reply", next());
        Assert.True(BirdReply.Read(Lines("8002 /run/cniv6/bgp/bird.conf:3:1 syntax error\n")).IsError);
    }

    [Theory]
    [InlineData("garbage\n")]
    [InlineData(" continuation first\n0000 \n")]
    [InlineData("1002-row without an end\n")]
    [InlineData("12x4 bad code\n")]
    public void Malformed_or_truncated_replies_are_refused(string text)
    {
        Assert.Throws<BirdControlException>(() => BirdReply.Read(Lines(text)));
    }

    private static Func<string?> Lines(string text)
    {
        var queue = new Queue<string>(text.Replace("\r", "", StringComparison.Ordinal).Split('\n'));
        if (queue.Count > 0 && text.EndsWith('\n'))
        {
            // Split leaves an empty string after the last line break; a stream has none.
            queue = new Queue<string>(queue.Take(queue.Count - 1));
        }

        return () => queue.Count > 0 ? queue.Dequeue() : null;
    }
}
