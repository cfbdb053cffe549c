using System.Net;
using System.Net.Sockets;
using CniV6.Netlink.Kernel;
using static CniV6.Netlink.Kernel.IfAddrHeaders;
using static CniV6.Netlink.Kernel.RtnetlinkHeaders;

namespace CniV6.Netlink;

/// <summary>Address operations: RTM_NEWADDR, RTM_GETADDR.</summary>
public sealed partial class RtNetlink
{
    /// <summary>
    /// Adds <paramref name="address"/>/<paramref name="prefixLength"/> to the link. With <paramref name="noDad"/>
    /// (IFA_F_NODAD) an IPv6 address is usable at once instead of tentative for a second or more. EEXIST surfaces
    /// as <see cref="NetlinkException"/>.
    /// </summary>
    public void AddAddress(int index, IPAddress address, int prefixLength, bool noDad = true, byte scope = RouteScope.Universe)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        ArgumentNullException.ThrowIfNull(address);
        byte family = FamilyOf(address.AddressFamily);
        ValidatePrefixLength(address.AddressFamily, prefixLength);

        uint flags = noDad ? IFA_F_NODAD : 0;
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var writer = new NetlinkMessageWriter(buffer, RTM_NEWADDR, CreateExclusive, 0);
        new IfAddrMsg(family, (byte)prefixLength, (byte)flags, scope, index).WriteTo(writer.Reserve(IfAddrMsg.Size));
        if (family == AF_INET)
        {
            // IPv4 keeps the local address (IFA_LOCAL) apart from the peer/prefix address (IFA_ADDRESS);
            // on a non-point-to-point link both are the same.
            writer.WriteAddress(IFA_LOCAL, address);
        }

        writer.WriteAddress(IFA_ADDRESS, address);

        // ifa_flags has 8 bits; IFA_FLAGS carries all 32 and takes precedence.
        writer.WriteUInt32(IFA_FLAGS, flags);
        _requester.Execute(writer.Complete(), $"RTM_NEWADDR {address}/{prefixLength} index {index}");
    }

    /// <summary>The addresses of <paramref name="family"/> (Unspecified: both) on link <paramref name="index"/> (0: every link).</summary>
    public IReadOnlyList<AddressInfo> ListAddresses(AddressFamily family, int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var writer = new NetlinkMessageWriter(buffer, RTM_GETADDR, DumpRequest, 0);
        new IfAddrMsg(FamilyOf(family), 0, 0, 0, 0).WriteTo(writer.Reserve(IfAddrMsg.Size));

        // Filtered here rather than by the kernel: its filtering by ifa_index needs strict checking (Linux 4.20+).
        return _requester.Dump(writer.Complete(), "RTM_GETADDR dump", message =>
            ParseAddress(message) is { } address && (index == 0 || address.Index == index) ? address : null);
    }

    internal static AddressInfo? ParseAddress(NetlinkMessage message)
    {
        if (message.Type != RTM_NEWADDR)
        {
            return null;
        }

        IfAddrMsg header = IfAddrMsg.Read(message.Payload);
        IPAddress? local = null;
        IPAddress? address = null;
        uint flags = header.Flags;
        var attributes = new NetlinkAttributeReader(message.Payload[IfAddrMsg.Size..]);
        while (attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            switch (type)
            {
                case IFA_LOCAL:
                    local = NetlinkAttributeReader.ReadAddress(value, type);
                    break;
                case IFA_ADDRESS:
                    address = NetlinkAttributeReader.ReadAddress(value, type);
                    break;
                case IFA_FLAGS:
                    flags = NetlinkAttributeReader.ReadUInt32(value, type);
                    break;
            }
        }

        IPAddress result = local ?? address
            ?? throw new NetlinkDecodeException($"RTM_NEWADDR for index {header.Index} has no address");
        return new AddressInfo(header.Index, result, header.PrefixLength, header.Scope, flags);
    }

    private static void ValidatePrefixLength(AddressFamily family, int prefixLength, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(prefixLength))] string? parameter = null)
    {
        int max = family == AddressFamily.InterNetwork ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max)
        {
            throw new ArgumentOutOfRangeException(parameter, prefixLength, $"prefix length must be within 0..{max}");
        }
    }
}
