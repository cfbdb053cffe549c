using System.Net;
using System.Net.Sockets;
using CniV6.Linux;
using CniV6.Netlink.Kernel;
using static CniV6.Netlink.Kernel.NeighbourHeaders;
using static CniV6.Netlink.Kernel.RtnetlinkHeaders;

namespace CniV6.Netlink;

/// <summary>Neighbour operations (ARP and NDP entries): RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH.</summary>
public sealed partial class RtNetlink
{
    /// <summary>
    /// Sets the neighbour entry <paramref name="address"/> → <paramref name="mac"/> on link <paramref name="index"/>,
    /// replacing whatever entry (e.g. an incomplete one from an early packet) is there. A permanent entry
    /// (NUD_PERMANENT) is never re-resolved or aged out; otherwise the entry starts as NUD_REACHABLE.
    /// </summary>
    public void AddNeighbor(int index, IPAddress address, ReadOnlySpan<byte> mac, bool permanent)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        ArgumentNullException.ThrowIfNull(address);
        if (mac.Length != MacLength)
        {
            throw new ArgumentException($"a MAC address has {MacLength} bytes, not {mac.Length}", nameof(mac));
        }

        byte family = FamilyOf(address.AddressFamily);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var writer = new NetlinkMessageWriter(buffer, RTM_NEWNEIGH, CreateOrReplace, 0);
        new NdMsg(family, index, permanent ? NUD_PERMANENT : NUD_REACHABLE, 0, 0).WriteTo(writer.Reserve(NdMsg.Size));
        writer.WriteAddress(NDA_DST, address);
        writer.WriteAttribute(NDA_LLADDR, mac);
        _requester.Execute(writer.Complete(), $"RTM_NEWNEIGH {address} index {index}");
    }

    /// <summary>Deletes the neighbour entry for <paramref name="address"/> on link <paramref name="index"/>; false when there is none.</summary>
    public bool DeleteNeighbor(int index, IPAddress address)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        ArgumentNullException.ThrowIfNull(address);
        byte family = FamilyOf(address.AddressFamily);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var writer = new NetlinkMessageWriter(buffer, RTM_DELNEIGH, RequestAck, 0);
        new NdMsg(family, index, 0, 0, 0).WriteTo(writer.Reserve(NdMsg.Size));
        writer.WriteAddress(NDA_DST, address);
        try
        {
            _requester.Execute(writer.Complete(), $"RTM_DELNEIGH {address} index {index}");
            return true;
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENOENT)
        {
            return false;
        }
    }

    /// <summary>
    /// The IPv4 and/or IPv6 neighbour entries of <paramref name="family"/> (<see cref="AddressFamily.Unspecified"/>:
    /// both) on link <paramref name="index"/> (0: every link). Proxy entries are not included.
    /// </summary>
    public IReadOnlyList<NeighborInfo> ListNeighbors(AddressFamily family, int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        byte familyCode = FamilyOf(family);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var writer = new NetlinkMessageWriter(buffer, RTM_GETNEIGH, DumpRequest, 0);
        new NdMsg(familyCode, 0, 0, 0, 0).WriteTo(writer.Reserve(NdMsg.Size));
        if (index > 0)
        {
            // The kernel filters on it (neigh_valid_dump_req); the parser filters again for kernels that do not.
            writer.WriteInt32(NDA_IFINDEX, index);
        }

        return _requester.Dump(writer.Complete(), "RTM_GETNEIGH dump", message =>
            ParseNeighbor(message) is { } neighbor && (index == 0 || neighbor.LinkIndex == index) ? neighbor : null);
    }

    internal static NeighborInfo? ParseNeighbor(NetlinkMessage message)
    {
        if (message.Type != RTM_NEWNEIGH)
        {
            return null;
        }

        NdMsg header = NdMsg.Read(message.Payload);
        if (AddressFamilyOf(header.Family) == AddressFamily.Unknown)
        {
            return null;
        }

        IPAddress? address = null;
        byte[] mac = [];
        var attributes = new NetlinkAttributeReader(message.Payload[NdMsg.Size..]);
        while (attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            switch (type)
            {
                case NDA_DST:
                    address = NetlinkAttributeReader.ReadAddress(value, type);
                    break;
                case NDA_LLADDR:
                    mac = value.ToArray();
                    break;
            }
        }

        if (address is null)
        {
            throw new NetlinkDecodeException($"RTM_NEWNEIGH on index {header.Index} has no NDA_DST");
        }

        return new NeighborInfo(header.Index, address, mac, (NeighborState)header.State);
    }
}
