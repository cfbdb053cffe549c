using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using CniV6.Netlink.Kernel;
using static CniV6.Netlink.Kernel.IfLinkHeaders;
using static CniV6.Netlink.Kernel.RtnetlinkHeaders;

namespace CniV6.Netlink;

/// <summary>The vxlan link kind: creating one (RTM_NEWLINK with IFLA_INFO_DATA) and reading its settings back.</summary>
public sealed partial class RtNetlink
{
    private const string VxlanKind = "vxlan";

    /// <summary>
    /// Creates a vxlan device named <paramref name="name"/> with <paramref name="settings"/>, MTU
    /// <paramref name="mtu"/> (0: the kernel's, the underlay MTU less the headroom) and MAC <paramref name="mac"/>
    /// (empty: a random one). The device starts down. Fails with <see cref="NetlinkException"/> Errno 17 (EEXIST)
    /// when the name is taken or another vxlan device already uses this VNI, local address and port.
    /// </summary>
    public void CreateVxlan(string name, VxlanSettings settings, int mtu, ReadOnlySpan<byte> mac)
    {
        ValidateLinkName(name);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(mtu);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(settings.Vni, VxlanSettings.MaxVni, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfZero(settings.Port, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfNegative(settings.UnderlayIndex, nameof(settings));
        if (settings.Local is null)
        {
            // Without a local address the kernel opens an IPv4 socket only, and IPv6 FDB destinations then fail.
            throw new ArgumentException("a vxlan device needs a local address: it picks the underlay family", nameof(settings));
        }

        FamilyOf(settings.Local.AddressFamily);
        if (!mac.IsEmpty && mac.Length != MacLength)
        {
            throw new ArgumentException($"a MAC address has {MacLength} bytes, not {mac.Length}", nameof(mac));
        }

        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var writer = new NetlinkMessageWriter(buffer, RTM_NEWLINK, CreateExclusive, 0);
        new IfInfoMsg(AF_UNSPEC, 0, 0, 0, 0).WriteTo(writer.Reserve(IfInfoMsg.Size));
        writer.WriteString(IFLA_IFNAME, name);
        if (mtu > 0)
        {
            writer.WriteUInt32(IFLA_MTU, (uint)mtu);
        }

        if (!mac.IsEmpty)
        {
            writer.WriteAttribute(IFLA_ADDRESS, mac);
        }

        using (writer.BeginNested(IFLA_LINKINFO))
        {
            writer.WriteString(IFLA_INFO_KIND, VxlanKind);
            using (writer.BeginNested(IFLA_INFO_DATA))
            {
                WriteVxlanData(ref writer, settings);
            }
        }

        _requester.Execute(writer.Complete(), $"RTM_NEWLINK vxlan {name} id {settings.Vni} local {settings.Local} port {settings.Port}");
    }

    private static void WriteVxlanData(ref NetlinkMessageWriter writer, VxlanSettings settings)
    {
        writer.WriteUInt32(IFLA_VXLAN_ID, settings.Vni);
        writer.WriteAddress(settings.Local!.AddressFamily == AddressFamily.InterNetwork ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, settings.Local);
        if (settings.UnderlayIndex > 0)
        {
            writer.WriteUInt32(IFLA_VXLAN_LINK, (uint)settings.UnderlayIndex);
        }

        // The only integer attribute in network byte order (the kernel's policy is NLA_U16 holding a __be16).
        Span<byte> port = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(port, settings.Port);
        writer.WriteAttribute(IFLA_VXLAN_PORT, port);
        WriteFlag(ref writer, IFLA_VXLAN_LEARNING, settings.Learning);
        WriteFlag(ref writer, IFLA_VXLAN_UDP_CSUM, settings.UdpChecksum);
        WriteFlag(ref writer, IFLA_VXLAN_UDP_ZERO_CSUM6_TX, settings.ZeroChecksum6Tx);
        WriteFlag(ref writer, IFLA_VXLAN_UDP_ZERO_CSUM6_RX, settings.ZeroChecksum6Rx);
    }

    private static void WriteFlag(ref NetlinkMessageWriter writer, ushort type, bool? value)
    {
        if (value is { } set)
        {
            writer.WriteUInt8(type, set ? (byte)1 : (byte)0);
        }
    }

    /// <summary>The IFLA_INFO_DATA of a vxlan link, as the kernel's vxlan_fill_info reports it.</summary>
    private static VxlanSettings ParseVxlanData(ReadOnlySpan<byte> data)
    {
        uint vni = 0;
        IPAddress? local = null;
        ushort port = 0;
        int underlay = 0;
        bool? learning = null;
        bool? udpChecksum = null;
        bool? zeroTx = null;
        bool? zeroRx = null;
        var attributes = new NetlinkAttributeReader(data);
        while (attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            switch (type)
            {
                case IFLA_VXLAN_ID:
                    vni = NetlinkAttributeReader.ReadUInt32(value, type);
                    break;
                case IFLA_VXLAN_LOCAL or IFLA_VXLAN_LOCAL6:
                    local = NetlinkAttributeReader.ReadAddress(value, type);
                    break;
                case IFLA_VXLAN_LINK:
                    underlay = NetlinkAttributeReader.ReadInt32(value, type);
                    break;
                case IFLA_VXLAN_PORT:
                    NetlinkDecodeException.ThrowIfShorter(value, 2, $"attribute {type}");
                    port = BinaryPrimitives.ReadUInt16BigEndian(value);
                    break;
                case IFLA_VXLAN_LEARNING:
                    learning = NetlinkAttributeReader.ReadUInt8(value, type) != 0;
                    break;
                case IFLA_VXLAN_UDP_CSUM:
                    udpChecksum = NetlinkAttributeReader.ReadUInt8(value, type) != 0;
                    break;
                case IFLA_VXLAN_UDP_ZERO_CSUM6_TX:
                    zeroTx = NetlinkAttributeReader.ReadUInt8(value, type) != 0;
                    break;
                case IFLA_VXLAN_UDP_ZERO_CSUM6_RX:
                    zeroRx = NetlinkAttributeReader.ReadUInt8(value, type) != 0;
                    break;
            }
        }

        return new VxlanSettings(vni, local, port, learning, underlay, udpChecksum, zeroTx, zeroRx);
    }
}
