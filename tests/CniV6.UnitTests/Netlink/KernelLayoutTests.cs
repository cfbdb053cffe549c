using CniV6.Netlink;
using CniV6.Netlink.Kernel;
using Tmds.Linux;

namespace CniV6.UnitTests.Netlink;

/// <summary>Struct sizes and constants that must equal the kernel's.</summary>
public sealed class KernelLayoutTests
{
    [Fact]
    public unsafe void Sockaddr_nl_has_the_kernels_size()
    {
        Assert.Equal(NetlinkHeaders.SOCKADDR_NL_SIZE, sizeof(SockaddrNl));
    }

    [Fact]
    public unsafe void Timeval_is_two_C_longs()
    {
        Assert.Equal(2 * IntPtr.Size, sizeof(Timeval));
    }

    [Fact]
    public void Family_headers_have_the_kernels_sizes_and_round_trip()
    {
        Assert.Equal(16, IfInfoMsg.Size);
        Assert.Equal(8, IfAddrMsg.Size);
        Assert.Equal(12, RtMsg.Size);
        Assert.Equal(12, NdMsg.Size);

        Span<byte> buffer = stackalloc byte[16];
        var link = new IfInfoMsg(10, 772, 9, 0x11003, 0xffffffff);
        link.WriteTo(buffer);
        Assert.Equal(link, IfInfoMsg.Read(buffer));
        var route = new RtMsg(10, 64, 0, 0, 254, 198, 253, 1, 0x200);
        route.WriteTo(buffer);
        Assert.Equal(route, RtMsg.Read(buffer));
        var neighbour = new NdMsg(2, 3, 0x80, 0, 1);
        neighbour.WriteTo(buffer);
        Assert.Equal(neighbour, NdMsg.Read(buffer));
        var address = new IfAddrMsg(10, 128, 0x80, 253, 4);
        address.WriteTo(buffer);
        Assert.Equal(address, IfAddrMsg.Read(buffer));
    }

    [Fact]
    public void A_short_family_header_is_a_decode_error()
    {
        Assert.Throws<NetlinkDecodeException>(() => RtMsg.Read(new byte[11]));
        Assert.Throws<NetlinkDecodeException>(() => IfInfoMsg.Read(new byte[15]));
    }

    [Fact]
    public void Socket_constants_match_libc()
    {
        Assert.Equal(NetlinkHeaders.AF_NETLINK, (int)LibC.AF_NETLINK);
        Assert.Equal(NetlinkHeaders.SOL_NETLINK, LibC.SOL_NETLINK);
    }

    [Fact]
    public void Our_route_protocol_is_0xC6_and_tables_and_scopes_are_the_kernels()
    {
        Assert.Equal(0xC6, RouteProtocol.CniV6);
        Assert.Equal(198, RouteProtocol.CniV6);
        Assert.Equal(254, RouteTable.Main);
        Assert.Equal(255, RouteTable.Local);
        Assert.Equal(253, RouteScope.Link);
        Assert.Equal(254, RouteScope.Host);
        Assert.Equal(0x40u, AddressFlags.Tentative);
        Assert.Equal(IfAddrHeaders.IFA_F_NODAD, AddressFlags.NoDad);
        Assert.Equal(0x3FFF, NetlinkHeaders.NLA_TYPE_MASK);
    }
}
