using CniV6.Linux;
using CniV6.Netlink.Kernel;

namespace CniV6.Netlink;

/// <summary>
/// Request/reply over a netlink transport: stamps sequence numbers, skips replies that are not ours (other
/// port id or sequence: stale answers of an earlier request), turns NLMSG_ERROR into an acknowledgement or a
/// <see cref="NetlinkException"/>, and collects multi-part dumps until NLMSG_DONE. Not thread-safe.
/// </summary>
internal sealed class NetlinkRequester : IDisposable
{
    /// <summary>A dump that raced with changes (NLM_F_DUMP_INTR) is re-run this many times in all before giving up.</summary>
    internal const int MaxDumpAttempts = 5;

    // Dump replies are at most 32 KiB per datagram (netlink_recvmsg caps max_recvmsg_len there).
    private const int ReceiveBufferSize = 64 * 1024;

    private readonly INetlinkTransport _transport;
    private readonly byte[] _receiveBuffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize);
    private uint _sequence;

    internal NetlinkRequester(INetlinkTransport transport, uint initialSequence)
    {
        _transport = transport;
        _sequence = initialSequence;
    }

    /// <summary>Sends a request that was built with NLM_F_ACK and waits for its acknowledgement.</summary>
    internal void Execute(Span<byte> request, string operation) => Execute(request, operation, tolerated: 0);

    /// <summary>
    /// Like <see cref="Execute(Span{byte}, string)"/>, but a refusal with <paramref name="tolerated"/> is returned
    /// instead of thrown: for answers that are an expected outcome (ENODEV for "there was nothing to delete"), so the
    /// common path of a command never pays for an exception. Returns 0 or <paramref name="tolerated"/>.
    /// </summary>
    internal int Execute(Span<byte> request, string operation, int tolerated)
    {
        uint seq = Send(request);
        while (true)
        {
            int length = _transport.Receive(_receiveBuffer);
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, length));
            while (reader.TryRead(out NetlinkMessage message))
            {
                if (!IsReplyTo(message, seq) || message.Type != NetlinkHeaders.NLMSG_ERROR)
                {
                    continue;
                }

                NetlinkError error = NetlinkError.Parse(message);
                if (error.Errno != 0 && error.Errno != tolerated)
                {
                    throw new NetlinkException(operation, error.Errno, error.ExtendedAck);
                }

                return error.Errno;
            }
        }
    }

    /// <summary>
    /// Sends a GET request (no NLM_F_DUMP) and parses its one answer; returns null when the kernel answers
    /// with <paramref name="absentErrno"/> (e.g. ENODEV for a link that does not exist).
    /// </summary>
    internal T? Get<T>(Span<byte> request, string operation, NetlinkMessageParser<T> parse, int absentErrno)
        where T : class
        => Get(request, operation, parse, absentErrno, absentErrno);

    /// <summary>A GET whose "nothing there" has two spellings (a route lookup: ENETUNREACH or EHOSTUNREACH).</summary>
    internal T? Get<T>(Span<byte> request, string operation, NetlinkMessageParser<T> parse, int absentErrno, int otherAbsentErrno)
        where T : class
    {
        uint seq = Send(request);
        while (true)
        {
            int length = _transport.Receive(_receiveBuffer);
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, length));
            while (reader.TryRead(out NetlinkMessage message))
            {
                if (!IsReplyTo(message, seq))
                {
                    continue;
                }

                if (message.Type == NetlinkHeaders.NLMSG_ERROR)
                {
                    NetlinkError error = NetlinkError.Parse(message);
                    if (error.Errno != 0 && (error.Errno == absentErrno || error.Errno == otherAbsentErrno))
                    {
                        return null;
                    }

                    throw error.Errno == 0
                        ? new NetlinkDecodeException($"{operation}: acknowledged without an answer")
                        : new NetlinkException(operation, error.Errno, error.ExtendedAck);
                }

                return parse(message);
            }
        }
    }

    /// <summary>
    /// Sends a dump request (NLM_F_DUMP) and parses every message until NLMSG_DONE. A dump the kernel flags as
    /// interrupted by concurrent changes is inconsistent, so it is thrown away and asked for again.
    /// </summary>
    internal List<T> Dump<T>(Span<byte> request, string operation, NetlinkMessageParser<T> parse)
        where T : class
    {
        for (int attempt = 1; ; attempt++)
        {
            var results = new List<T>();
            bool interrupted = DumpOnce(request, operation, parse, results);
            if (!interrupted)
            {
                return results;
            }

            if (attempt == MaxDumpAttempts)
            {
                throw new NetlinkException(operation, Errno.EINTR,
                    $"dump interrupted by concurrent changes {MaxDumpAttempts} times in a row");
            }
        }
    }

    public void Dispose() => _transport.Dispose();

    private bool DumpOnce<T>(Span<byte> request, string operation, NetlinkMessageParser<T> parse, List<T> results)
        where T : class
    {
        uint seq = Send(request);
        bool interrupted = false;
        while (true)
        {
            int length = _transport.Receive(_receiveBuffer);
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, length));
            while (reader.TryRead(out NetlinkMessage message))
            {
                if (!IsReplyTo(message, seq))
                {
                    continue;
                }

                interrupted |= (message.Flags & NetlinkHeaders.NLM_F_DUMP_INTR) != 0;
                switch (message.Type)
                {
                    case NetlinkHeaders.NLMSG_DONE:
                        NetlinkError done = NetlinkError.ParseDone(message);
                        if (done.Errno != 0)
                        {
                            throw new NetlinkException(operation, done.Errno, done.ExtendedAck);
                        }

                        return interrupted;
                    case NetlinkHeaders.NLMSG_ERROR:
                        NetlinkError error = NetlinkError.Parse(message);
                        if (error.Errno != 0)
                        {
                            throw new NetlinkException(operation, error.Errno, error.ExtendedAck);
                        }

                        return interrupted;
                    case NetlinkHeaders.NLMSG_NOOP:
                        continue;
                    case NetlinkHeaders.NLMSG_OVERRUN:
                        throw new NetlinkDecodeException($"{operation}: kernel reported NLMSG_OVERRUN");
                    default:
                        if (parse(message) is { } item)
                        {
                            results.Add(item);
                        }

                        break;
                }
            }
        }
    }

    private uint Send(Span<byte> request)
    {
        NetlinkDecodeException.ThrowIfShorter(request, NetlinkHeaders.NLMSG_HDRLEN, "request");
        _sequence = _sequence == uint.MaxValue ? 1 : _sequence + 1;
        HostByteOrder.WriteUInt32(request[8..], _sequence);
        _transport.Send(request);
        return _sequence;
    }

    private bool IsReplyTo(NetlinkMessage message, uint seq)
        => message.Sequence == seq && message.PortId == _transport.PortId;
}
