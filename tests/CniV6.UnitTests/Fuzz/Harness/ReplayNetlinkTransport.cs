using System.Buffers.Binary;
using System.Runtime.Versioning;
using CniV6.Netlink;

namespace CniV6.UnitTests.Fuzz;

/// <summary>
/// Answers every request with one recorded datagram. The port id is the <c>nlmsg_pid</c> of the recording's first
/// message, and every message carrying that message's <c>nlmsg_seq</c> gets the sequence number of the request
/// just sent, so a capture (or a fuzzed variant of one) matches whatever sequence the requester uses.
/// Messages with another port id or sequence stay as they are and are skipped by the requester as stale.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class ReplayNetlinkTransport : INetlinkTransport
{
    private const int HeaderLength = 16;
    private const int SequenceOffset = 8;
    private const int PortIdOffset = 12;

    private readonly byte[] recording;
    private readonly uint? recordedSequence;
    private byte[]? pending;

    public ReplayNetlinkTransport(byte[] recording)
    {
        this.recording = recording;
        if (recording.Length >= HeaderLength)
        {
            recordedSequence = BinaryPrimitives.ReadUInt32LittleEndian(recording.AsSpan(SequenceOffset));
            PortId = BinaryPrimitives.ReadUInt32LittleEndian(recording.AsSpan(PortIdOffset));
        }
    }

    public uint PortId { get; }

    public int Requests { get; private set; }

    public void Send(ReadOnlySpan<byte> message)
    {
        Requests++;
        var sequence = BinaryPrimitives.ReadUInt32LittleEndian(message[SequenceOffset..]);
        pending = (byte[])recording.Clone();
        if (recordedSequence is not { } recorded)
        {
            return;
        }

        // The harness's own walk: tolerant, it stops where a length stops making sense and leaves the rest alone.
        var offset = 0L;
        while (offset + HeaderLength <= pending.Length)
        {
            var header = pending.AsSpan((int)offset);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[SequenceOffset..]) == recorded)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(header[SequenceOffset..], sequence);
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (length < HeaderLength)
            {
                break;
            }

            offset += (length + 3L) & ~3L;
        }
    }

    public int Receive(Span<byte> buffer)
    {
        var datagram = pending ?? throw new ReplayExhaustedException();
        pending = null;

        // As recvmsg without MSG_TRUNC: what does not fit the buffer is lost.
        var length = Math.Min(datagram.Length, buffer.Length);
        datagram.AsSpan(0, length).CopyTo(buffer);
        return length;
    }

    public void Dispose()
    {
    }
}
