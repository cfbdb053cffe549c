using System.Net.Sockets;
using CniV6.Netlink.Kernel;

namespace CniV6.Netlink;

/// <summary>
/// A NETLINK_ROUTE socket and the link, address, route and neighbour operations CniV6 needs. The socket acts on
/// the network namespace of the thread that called <see cref="Open"/>, whichever thread uses it afterwards.
/// One request at a time: not thread-safe.
/// </summary>
public sealed partial class RtNetlink : IDisposable
{
    // Our largest request (a veth pair) is under 200 bytes.
    private const int RequestBufferSize = 512;

    private const byte AF_UNSPEC = 0;
    private const byte AF_INET = 2;
    private const byte AF_INET6 = 10;

    private const ushort RequestAck = NetlinkHeaders.NLM_F_REQUEST | NetlinkHeaders.NLM_F_ACK;
    private const ushort CreateExclusive = RequestAck | NetlinkHeaders.NLM_F_CREATE | NetlinkHeaders.NLM_F_EXCL;
    private const ushort CreateOrReplace = RequestAck | NetlinkHeaders.NLM_F_CREATE | NetlinkHeaders.NLM_F_REPLACE;
    private const ushort DumpRequest = NetlinkHeaders.NLM_F_REQUEST | NetlinkHeaders.NLM_F_DUMP;

    private readonly NetlinkRequester _requester;

    internal RtNetlink(INetlinkTransport transport)
    {
        // Sequence numbers only need to differ between requests of this socket; a time-based start keeps a
        // reply to some earlier socket with the same port id from ever matching.
        _requester = new NetlinkRequester(transport, unchecked((uint)Environment.TickCount64));
    }

    /// <summary>Opens a NETLINK_ROUTE socket in the calling thread's network namespace.</summary>
    public static RtNetlink Open() => new(NetlinkSocket.Open(NetlinkHeaders.NETLINK_ROUTE));

    public void Dispose() => _requester.Dispose();

    private static byte FamilyOf(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => AF_INET,
        AddressFamily.InterNetworkV6 => AF_INET6,
        AddressFamily.Unspecified => AF_UNSPEC,
        _ => throw new ArgumentException($"address family {family} is not IPv4 or IPv6", nameof(family)),
    };

    private static AddressFamily AddressFamilyOf(byte family) => family switch
    {
        AF_INET => AddressFamily.InterNetwork,
        AF_INET6 => AddressFamily.InterNetworkV6,
        _ => AddressFamily.Unknown,
    };
}
