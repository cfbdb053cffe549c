using CniV6.Netlink;

namespace CniV6.Fuzz;

/// <summary>A real netlink socket that keeps a copy of every datagram the kernel sends back.</summary>
internal sealed class RecordingTransport(INetlinkTransport inner) : INetlinkTransport
{
    private readonly MemoryStream received = new();

    public uint PortId => inner.PortId;

    public void Send(ReadOnlySpan<byte> message) => inner.Send(message);

    public int Receive(Span<byte> buffer)
    {
        var length = inner.Receive(buffer);
        received.Write(buffer[..length]);
        return length;
    }

    /// <summary>The datagrams received so far, back to back (a valid reply to the replay harness), and forgets them.</summary>
    public byte[] TakeRecording()
    {
        var bytes = received.ToArray();
        received.SetLength(0);
        return bytes;
    }

    public void Dispose()
    {
        received.Dispose();
        inner.Dispose();
    }
}
