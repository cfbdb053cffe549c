namespace CniV6.Netlink;

/// <summary>Sends and receives whole netlink datagrams; the seam that lets the request logic be tested without a kernel.</summary>
internal interface INetlinkTransport : IDisposable
{
    /// <summary>The port id the kernel addresses replies to (nlmsg_pid of every reply).</summary>
    uint PortId { get; }

    void Send(ReadOnlySpan<byte> message);

    /// <summary>Receives one datagram from the kernel into <paramref name="buffer"/> and returns its length.</summary>
    int Receive(Span<byte> buffer);
}
