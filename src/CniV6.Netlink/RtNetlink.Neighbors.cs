using System.Net;
using CniV6.Netlink.Kernel;
using static CniV6.Netlink.Kernel.NeighbourHeaders;
using static CniV6.Netlink.Kernel.RtnetlinkHeaders;

namespace CniV6.Netlink;

/// <summary>Neighbour operations: RTM_NEWNEIGH.</summary>
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
        requester.Execute(writer.Complete(), $"RTM_NEWNEIGH {address} index {index}");
    }
}
