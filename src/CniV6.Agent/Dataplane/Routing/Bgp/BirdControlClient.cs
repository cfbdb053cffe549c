using System.Net.Sockets;
using System.Text;

namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>
/// BIRD's control socket, spoken directly (what <c>birdc</c> does): connect, read the greeting, send one command,
/// read its reply. A fresh connection per command keeps no state to go stale across a BIRD restart.
/// </summary>
internal static class BirdControlClient
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Sends one command; throws <see cref="BirdControlException"/> when BIRD is not there or answers oddly.</summary>
    public static BirdReply Send(string socketPath, string command)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.ReceiveTimeout = socket.SendTimeout = (int)Timeout.TotalMilliseconds;
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
            var greeting = BirdReply.Read(reader.ReadLine);
            if (greeting.FinalCode != 1)
            {
                throw new BirdControlException($"unexpected greeting on {socketPath}: {greeting.Text}");
            }

            stream.Write(Encoding.UTF8.GetBytes(command + "\n"));
            return BirdReply.Read(reader.ReadLine);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            throw new BirdControlException($"BIRD's control socket {socketPath}: {e.Message}", e);
        }
    }

    /// <summary>Whether a BIRD answers on the socket and says it is up.</summary>
    public static bool IsUp(string socketPath)
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }

        try
        {
            return Send(socketPath, "show status").Lines.Any(l => l.Code == 13);
        }
        catch (BirdControlException)
        {
            return false;
        }
    }
}
