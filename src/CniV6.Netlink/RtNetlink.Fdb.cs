using System.Net;
using CniV6.Linux;
using CniV6.Netlink.Kernel;
using static CniV6.Netlink.Kernel.NeighbourHeaders;
using static CniV6.Netlink.Kernel.RtnetlinkHeaders;

namespace CniV6.Netlink;

/// <summary>
/// Forwarding-database (FDB) operations on a vxlan device: neighbour messages of family AF_BRIDGE with NTF_SELF,
/// as <c>bridge fdb … self</c> sends them.
/// </summary>
public sealed partial class RtNetlink
{
    /// <summary>PF_BRIDGE (linux/socket.h).</summary>
    private const byte AF_BRIDGE = 7;

    /// <summary>
    /// Sets the static entry <paramref name="mac"/> → <paramref name="destination"/> on the vxlan device
    /// <paramref name="index"/>: frames for that MAC are sent to that node. An existing entry for the MAC gets the
    /// new destination (NLM_F_REPLACE), so a peer whose address changed is followed without a gap.
    /// </summary>
    public void AddFdbEntry(int index, ReadOnlySpan<byte> mac, IPAddress destination)
    {
        ModifyFdbEntry(RTM_NEWNEIGH, CreateOrReplace, index, mac, destination, "RTM_NEWNEIGH fdb");
    }

    /// <summary>Deletes the entry <paramref name="mac"/> → <paramref name="destination"/>; false when there is none.</summary>
    public bool DeleteFdbEntry(int index, ReadOnlySpan<byte> mac, IPAddress destination)
    {
        try
        {
            ModifyFdbEntry(RTM_DELNEIGH, RequestAck, index, mac, destination, "RTM_DELNEIGH fdb");
            return true;
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENOENT)
        {
            return false;
        }
    }

    /// <summary>
    /// The device's own (NTF_SELF) FDB entries that carry a destination on link <paramref name="index"/>. The kernel
    /// dumps the FDB of every device (even plain ones list their multicast addresses), so the dump is filtered here.
    /// </summary>
    public IReadOnlyList<FdbEntry> ListFdbEntries(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var writer = new NetlinkMessageWriter(buffer, RTM_GETNEIGH, DumpRequest, 0);

        // A bare ndmsg: the kernel's legacy FDB dump reads any longer request as an ifinfomsg.
        new NdMsg(AF_BRIDGE, 0, 0, 0, 0).WriteTo(writer.Reserve(NdMsg.Size));
        return _requester.Dump(writer.Complete(), "RTM_GETNEIGH fdb dump", message =>
            ParseFdbEntry(message) is { Self: true, Destination: not null } entry && entry.LinkIndex == index ? entry : null);
    }

    internal static FdbEntry? ParseFdbEntry(NetlinkMessage message)
    {
        if (message.Type != RTM_NEWNEIGH)
        {
            return null;
        }

        NdMsg header = NdMsg.Read(message.Payload);
        if (header.Family != AF_BRIDGE)
        {
            return null;
        }

        IPAddress? destination = null;
        byte[]? mac = null;
        var attributes = new NetlinkAttributeReader(message.Payload[NdMsg.Size..]);
        while (attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            switch (type)
            {
                case NDA_DST:
                    destination = NetlinkAttributeReader.ReadAddress(value, type);
                    break;
                case NDA_LLADDR:
                    mac = value.ToArray();
                    break;
            }
        }

        if (mac is null)
        {
            throw new NetlinkDecodeException($"FDB entry on index {header.Index} has no NDA_LLADDR");
        }

        return new FdbEntry(header.Index, mac, destination, (NeighborState)header.State, (header.Flags & NTF_SELF) != 0);
    }

    private void ModifyFdbEntry(ushort messageType, ushort flags, int index, ReadOnlySpan<byte> mac, IPAddress destination, string operation)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        ArgumentNullException.ThrowIfNull(destination);
        FamilyOf(destination.AddressFamily);
        if (mac.Length != MacLength)
        {
            throw new ArgumentException($"a MAC address has {MacLength} bytes, not {mac.Length}", nameof(mac));
        }

        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var writer = new NetlinkMessageWriter(buffer, messageType, flags, 0);

        // NTF_SELF: the vxlan device's own table (not a bridge master's); NUD_PERMANENT: a static entry that
        // never ages out (learning is off, so nothing would refresh it).
        ushort state = messageType == RTM_NEWNEIGH ? NUD_PERMANENT : (ushort)0;
        new NdMsg(AF_BRIDGE, index, state, NTF_SELF, 0).WriteTo(writer.Reserve(NdMsg.Size));
        writer.WriteAttribute(NDA_LLADDR, mac);
        writer.WriteAddress(NDA_DST, destination);
        _requester.Execute(writer.Complete(), $"{operation} {Convert.ToHexStringLower(mac)} dst {destination} index {index}");
    }
}
