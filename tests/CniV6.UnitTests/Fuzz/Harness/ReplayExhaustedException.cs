namespace CniV6.UnitTests.Fuzz;

/// <summary>
/// The replayed datagram has been delivered and the code under test asked for another: the reply was incomplete
/// (no NLMSG_DONE, no answer with our sequence). A real socket would block; the harness ends the request instead.
/// </summary>
internal sealed class ReplayExhaustedException() : Exception("the replayed netlink datagram is used up");
