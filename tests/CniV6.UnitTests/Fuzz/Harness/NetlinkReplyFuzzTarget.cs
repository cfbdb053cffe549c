using System.Net.Sockets;
using System.Runtime.Versioning;
using CniV6.Netlink;

namespace CniV6.UnitTests.Fuzz;

/// <summary>
/// The input is the kernel's reply datagram to a NETLINK_ROUTE request (see <see cref="ReplayNetlinkTransport"/>).
/// It is fed, through <see cref="RtNetlink"/>'s own operations, to every decoding path: link (with vxlan data),
/// address, route, neighbour and FDB dumps (<c>NetlinkMessageReader</c>, <c>NetlinkAttributeReader</c>, the per-family parsers, NLMSG_DONE and
/// DUMP_INTR handling), a single GET and an acknowledged request (NLMSG_ERROR with extended ack).
/// Documented failures: <see cref="NetlinkDecodeException"/> (malformed reply) and <see cref="NetlinkException"/>
/// (the reply carries an errno); an incomplete reply ends in <see cref="ReplayExhaustedException"/>.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class NetlinkReplyFuzzTarget
{
    private static readonly Action<RtNetlink>[] Operations =
    [
        netlink => netlink.ListLinks(),
        netlink => netlink.ListAddresses(AddressFamily.Unspecified),
        netlink => netlink.ListRoutes(AddressFamily.Unspecified, RouteTable.Unspecified),
        netlink => netlink.ListNeighbors(AddressFamily.Unspecified),
        netlink => netlink.ListFdbEntries(1),
        netlink => netlink.GetLink(1),
        netlink => netlink.SetLinkUp(1),
    ];

    public static FuzzOutcome Run(byte[] input)
    {
        var outcome = FuzzOutcome.Rejected;
        foreach (var operation in Operations)
        {
            var transport = new ReplayNetlinkTransport(input);
            using var netlink = new RtNetlink(transport);
            try
            {
                operation(netlink);
                outcome = FuzzOutcome.Accepted;
            }
            catch (Exception e) when (e is NetlinkDecodeException or NetlinkException or ReplayExhaustedException)
            {
            }

            // A retried dump (DUMP_INTR) must give up after a bounded number of requests, never loop.
            if (transport.Requests > NetlinkRequester.MaxDumpAttempts)
            {
                throw new FuzzPropertyException($"{transport.Requests} requests for one operation");
            }
        }

        return outcome;
    }
}
