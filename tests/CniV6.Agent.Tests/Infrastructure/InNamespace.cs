using System.Net;
using System.Net.Sockets;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>
/// In-process access to a network namespace. A socket belongs to the namespace of the thread that created it, so
/// only the creation runs inside (on a thread NetNamespace owns); connecting, accepting and I/O then work from
/// any thread and still happen in that namespace.
/// </summary>
internal static class InNamespace
{
    public static string PathOf(string netns) => $"/var/run/netns/{netns}";

    public static Socket TcpSocket(string netns, AddressFamily family) =>
        NetNamespace.Run(PathOf(netns), () => new Socket(family, SocketType.Stream, ProtocolType.Tcp));

    /// <summary>Routes in the main table of the namespace, as the kernel reports them.</summary>
    public static IReadOnlyList<RouteInfo> Routes(string netns, AddressFamily family) =>
        NetNamespace.Run(PathOf(netns), () =>
        {
            using var netlink = RtNetlink.Open();
            return netlink.ListRoutes(family);
        });

    /// <summary>An HttpClient whose connections are made from inside the namespace (for 127.0.0.1 there).</summary>
    public static HttpClient HttpClient(string netns) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var address = IPAddress.Parse(context.DnsEndPoint.Host.Trim('[', ']'));
            var socket = TcpSocket(netns, address.AddressFamily);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>
    /// Listens on <paramref name="port"/> in <paramref name="listenIn"/>, connects from <paramref name="connectFrom"/>
    /// to <paramref name="target"/>, and returns the source address the listener saw (the proof of (no) NAT).
    /// </summary>
    public static async Task<IPAddress> SourceSeenByAsync(string listenIn, string connectFrom, IPAddress target, int port)
    {
        var family = target.AddressFamily;
        using var listener = TcpSocket(listenIn, family);
        listener.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, port));
        listener.Listen(1);
        using var client = TcpSocket(connectFrom, family);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var accept = listener.AcceptAsync(timeout.Token).AsTask();
        await client.ConnectAsync(new IPEndPoint(target, port), timeout.Token);
        using var accepted = await accept;
        return ((IPEndPoint)accepted.RemoteEndPoint!).Address;
    }
}
