using System.Buffers.Binary;

namespace CniV6.Netlink;

/// <summary>
/// The nf_tables ruleset generation of the calling thread's network namespace (NFT_MSG_GETGEN over
/// NETLINK_NETFILTER, what <c>nft monitor</c> and libnftables use to detect changes). The kernel bumps it with every
/// committed nf_tables transaction in the namespace — any rule added, deleted or flushed by anyone, including
/// iptables-nft — so "the generation is still G" proves that nothing changed since G was read. One netlink round trip.
/// </summary>
public static class NfTablesGeneration
{
    private const int NETLINK_NETFILTER = 12;
    private const ushort NFNL_SUBSYS_NFTABLES = 10;
    private const ushort NFT_MSG_NEWGEN = 15;
    private const ushort NFT_MSG_GETGEN = 16;
    private const ushort NFTA_GEN_ID = 1;
    private const byte NFNETLINK_V0 = 0;

    // struct nfgenmsg { __u8 nfgen_family; __u8 version; __be16 res_id; }
    private const int NfGenMsgSize = 4;

    /// <summary>The current generation, or null when the kernel cannot tell (no nf_tables, no permission).</summary>
    public static uint? Read()
    {
        try
        {
            using var requester = new NetlinkRequester(NetlinkSocket.Open(NETLINK_NETFILTER), unchecked((uint)Environment.TickCount64));
            Span<byte> buffer = stackalloc byte[64];
            var writer = new NetlinkMessageWriter(buffer, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN, Kernel.NetlinkHeaders.NLM_F_REQUEST, 0);
            Span<byte> header = writer.Reserve(NfGenMsgSize);
            header[0] = 0; // AF_UNSPEC
            header[1] = NFNETLINK_V0;
            return requester.Get(writer.Complete(), "NFT_MSG_GETGEN", ParseGeneration, absentErrno: -1)?.Id;
        }
        catch (Exception e) when (e is NetlinkException or NetlinkDecodeException or CniV6.Linux.LinuxException)
        {
            return null;
        }
    }

    private static Generation? ParseGeneration(NetlinkMessage message)
    {
        if (message.Type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN) || message.Payload.Length < NfGenMsgSize)
        {
            return null;
        }

        var attributes = new NetlinkAttributeReader(message.Payload[NfGenMsgSize..]);
        while (attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            if (type == NFTA_GEN_ID && value.Length >= 4)
            {
                return new Generation(BinaryPrimitives.ReadUInt32BigEndian(value));
            }
        }

        return null;
    }

    private sealed record Generation(uint Id);
}
