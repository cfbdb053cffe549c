using System.Net;
using System.Net.Sockets;
using CniV6.Linux;
using CniV6.Netlink.Kernel;
using static CniV6.Netlink.Kernel.RtnetlinkHeaders;

namespace CniV6.Netlink;

/// <summary>Route operations: RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE.</summary>
public sealed partial class RtNetlink
{
    /// <summary>Adds the route; EEXIST surfaces as <see cref="NetlinkException"/>.</summary>
    public void AddRoute(RouteInfo route) => ModifyRoute(route, RTM_NEWROUTE, CreateExclusive, "RTM_NEWROUTE");

    /// <summary>Adds the route or replaces the one with the same destination, table and metric (like <c>ip route replace</c>).</summary>
    public void ReplaceRoute(RouteInfo route) => ModifyRoute(route, RTM_NEWROUTE, CreateOrReplace, "RTM_NEWROUTE replace");

    /// <summary>
    /// Deletes the route matching destination, table, protocol, and where given gateway, output link and metric;
    /// false when there is none (ESRCH).
    /// </summary>
    public bool DeleteRoute(RouteInfo route)
    {
        try
        {
            ModifyRoute(route, RTM_DELROUTE, RequestAck, "RTM_DELROUTE");
            return true;
        }
        catch (NetlinkException e) when (e.Errno == Errno.ESRCH)
        {
            return false;
        }
    }

    /// <summary>
    /// The unicast routes of <paramref name="family"/> in <paramref name="table"/>
    /// (<see cref="RouteTable.Unspecified"/>: every table). Cached clones are left out. A multipath route is
    /// reported with its first next hop.
    /// </summary>
    public IReadOnlyList<RouteInfo> ListRoutes(AddressFamily family, int table = RouteTable.Main)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(table);
        byte familyCode = FamilyOf(family);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var writer = new NetlinkMessageWriter(buffer, RTM_GETROUTE, DumpRequest, 0);
        new RtMsg(familyCode, 0, 0, 0, 0, 0, 0, 0, 0).WriteTo(writer.Reserve(RtMsg.Size));
        return _requester.Dump(writer.Complete(), "RTM_GETROUTE dump", message =>
            ParseRoute(message) is { } route && (table == RouteTable.Unspecified || route.Table == table) ? route : null);
    }

    /// <summary>
    /// The route entry the kernel would use for <paramref name="destination"/> (RTM_GETROUTE with RTM_F_FIB_MATCH,
    /// like <c>ip route get fibmatch</c>): one request whose cost does not grow with the table, where a dump reads
    /// every route of the node. Null when nothing routes it (or it is not a unicast route). The answer follows the
    /// node's policy rules like a real packet would, so a caller that needs the main table's entry for sure falls
    /// back to <see cref="ListRoutes"/> when the answer is not the one it expected.
    /// </summary>
    public RouteInfo? LookupRoute(IPAddress destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        AddressFamily family = destination.AddressFamily;
        byte familyCode = FamilyOf(family);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var writer = new NetlinkMessageWriter(buffer, RTM_GETROUTE, NetlinkHeaders.NLM_F_REQUEST, 0);
        byte hostLength = (byte)(family == AddressFamily.InterNetwork ? 32 : 128);
        new RtMsg(familyCode, hostLength, 0, 0, 0, 0, 0, 0, RTM_F_FIB_MATCH).WriteTo(writer.Reserve(RtMsg.Size));
        writer.WriteAddress(RTA_DST, destination);
        return _requester.Get(writer.Complete(), $"RTM_GETROUTE fibmatch {destination}", ParseRoute, Errno.ENETUNREACH, Errno.EHOSTUNREACH);
    }

    internal static RouteInfo? ParseRoute(NetlinkMessage message)
    {
        if (message.Type != RTM_NEWROUTE)
        {
            return null;
        }

        RtMsg header = RtMsg.Read(message.Payload);
        AddressFamily family = AddressFamilyOf(header.Family);
        if (header.Type != RTN_UNICAST || (header.Flags & RTM_F_CLONED) != 0 || family == AddressFamily.Unknown)
        {
            return null;
        }

        IPAddress? destination = null;
        IPAddress? gateway = null;
        IPAddress? source = null;
        int outputIndex = 0;
        int table = header.Table;
        uint? priority = null;
        var attributes = new NetlinkAttributeReader(message.Payload[RtMsg.Size..]);
        while (attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            switch (type)
            {
                case RTA_DST:
                    destination = NetlinkAttributeReader.ReadAddress(value, type);
                    break;
                case RTA_GATEWAY:
                    gateway = NetlinkAttributeReader.ReadAddress(value, type);
                    break;
                case RTA_PREFSRC:
                    source = NetlinkAttributeReader.ReadAddress(value, type);
                    break;
                case RTA_OIF:
                    outputIndex = NetlinkAttributeReader.ReadInt32(value, type);
                    break;
                case RTA_TABLE:
                    table = (int)NetlinkAttributeReader.ReadUInt32(value, type);
                    break;
                case RTA_PRIORITY:
                    priority = NetlinkAttributeReader.ReadUInt32(value, type);
                    break;
                case RTA_MULTIPATH when outputIndex == 0 && gateway is null:
                    (outputIndex, gateway) = ReadFirstNextHop(value);
                    break;
            }
        }

        IPAddress any = family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any;
        IPAddress destinationAddress = destination ?? any;
        if (!Cidr.IsValidPrefixLength(destinationAddress, header.DestinationLength))
        {
            throw new NetlinkDecodeException($"prefix length {header.DestinationLength} does not fit {destinationAddress}");
        }

        IPNetwork network = Cidr.NetworkOf(destinationAddress, header.DestinationLength);
        return new RouteInfo(network, gateway, outputIndex, header.Scope, header.Protocol, table, source, priority, (header.Flags & RTNH_F_ONLINK) != 0);
    }

    private void ModifyRoute(RouteInfo route, ushort messageType, ushort flags, string operation)
    {
        ArgumentNullException.ThrowIfNull(route);
        AddressFamily family = route.Destination.BaseAddress.AddressFamily;
        byte familyCode = FamilyOf(family);
        if (route.Gateway is { } gw && gw.AddressFamily != family)
        {
            throw new ArgumentException($"gateway {gw} is not of the destination's family", nameof(route));
        }

        if (route.PreferredSource is { } src && src.AddressFamily != family)
        {
            throw new ArgumentException($"preferred source {src} is not of the destination's family", nameof(route));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(route.Table, nameof(route));
        bool delete = messageType == RTM_DELROUTE;

        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var writer = new NetlinkMessageWriter(buffer, messageType, flags, 0);
        new RtMsg(
            familyCode,
            (byte)route.Destination.PrefixLength,
            0,
            0,
            route.Table < 256 ? (byte)route.Table : (byte)RouteTable.Unspecified,
            route.Protocol,

            // Deletion: scope "nowhere" and type unspecified are wildcards, as with `ip route del`.
            delete ? RT_SCOPE_NOWHERE : route.Scope,
            delete ? RTN_UNSPEC : RTN_UNICAST,
            route.OnLink ? RTNH_F_ONLINK : 0).WriteTo(writer.Reserve(RtMsg.Size));
        writer.WriteUInt32(RTA_TABLE, (uint)route.Table);
        if (route.Destination.PrefixLength > 0)
        {
            writer.WriteAddress(RTA_DST, route.Destination.BaseAddress);
        }

        if (route.Gateway is not null)
        {
            writer.WriteAddress(RTA_GATEWAY, route.Gateway);
        }

        if (route.OutputIndex > 0)
        {
            writer.WriteInt32(RTA_OIF, route.OutputIndex);
        }

        if (route.PreferredSource is not null)
        {
            writer.WriteAddress(RTA_PREFSRC, route.PreferredSource);
        }

        if (route.Priority is { } priority)
        {
            writer.WriteUInt32(RTA_PRIORITY, priority);
        }

        _requester.Execute(writer.Complete(), $"{operation} {route.Destination}" +
            (route.Gateway is null ? string.Empty : $" via {route.Gateway}") +
            (route.OutputIndex > 0 ? $" index {route.OutputIndex}" : string.Empty) +
            (route.OnLink ? " onlink" : string.Empty));
    }

    /// <summary>The first struct rtnexthop of RTA_MULTIPATH: its ifindex and RTA_GATEWAY.</summary>
    private static (int OutputIndex, IPAddress? Gateway) ReadFirstNextHop(ReadOnlySpan<byte> multipath)
    {
        NetlinkDecodeException.ThrowIfShorter(multipath, RTNH_SIZE, "rtnexthop");
        ushort length = HostByteOrder.ReadUInt16(multipath);
        if (length < RTNH_SIZE || length > multipath.Length)
        {
            throw new NetlinkDecodeException($"rtnh_len {length} does not fit the {multipath.Length} bytes of RTA_MULTIPATH");
        }

        int index = HostByteOrder.ReadInt32(multipath[4..]);
        IPAddress? gateway = null;
        var attributes = new NetlinkAttributeReader(multipath[RTNH_SIZE..length]);
        while (attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            if (type == RTA_GATEWAY)
            {
                gateway = NetlinkAttributeReader.ReadAddress(value, type);
            }
        }

        return (index, gateway);
    }
}
