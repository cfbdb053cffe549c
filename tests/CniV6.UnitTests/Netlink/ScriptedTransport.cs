using CniV6.Netlink;

namespace CniV6.UnitTests.Netlink;

/// <summary>
/// A fake kernel: records what is sent and answers each receive with the next scripted datagram, built from the
/// sequence number of the last request so replies can match (or deliberately not match) it.
/// </summary>
internal sealed class ScriptedTransport : INetlinkTransport
{
    internal const uint OurPortId = 4242;

    private readonly Queue<Func<uint, byte[]>> datagrams = new();

    public uint PortId => OurPortId;

    internal List<byte[]> Sent { get; } = [];

    internal bool Disposed { get; private set; }

    internal uint LastSequence => Sent.Count == 0 ? 0 : BitConverter.ToUInt32(Sent[^1], 8);

    /// <summary>Queues a datagram made of the given messages (each built for the last request's sequence).</summary>
    internal ScriptedTransport Reply(params Func<uint, byte[]>[] messages)
    {
        datagrams.Enqueue(seq => messages.SelectMany(m => m(seq)).ToArray());
        return this;
    }

    public void Send(ReadOnlySpan<byte> message) => Sent.Add(message.ToArray());

    public int Receive(Span<byte> buffer)
    {
        if (datagrams.Count == 0)
        {
            throw new InvalidOperationException("the test script has no more replies");
        }

        byte[] datagram = datagrams.Dequeue()(LastSequence);
        datagram.CopyTo(buffer);
        return datagram.Length;
    }

    public void Dispose() => Disposed = true;
}
