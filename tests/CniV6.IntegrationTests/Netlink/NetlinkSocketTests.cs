using CniV6.IntegrationTests.Infrastructure;
using CniV6.Linux;
using CniV6.Netlink;
using CniV6.Netlink.Kernel;

namespace CniV6.IntegrationTests.Netlink;

public sealed class NetlinkSocketTests
{
    [Fact]
    public void A_missing_reply_ends_in_a_timeout_instead_of_a_hang()
    {
        using var socket = NetlinkSocket.Open(NetlinkHeaders.NETLINK_ROUTE, TimeSpan.FromMilliseconds(200));
        byte[] buffer = new byte[4096];

        Assert.Throws<TimeoutException>(() => socket.Receive(buffer));
    }

    [Fact]
    public void The_kernel_assigns_a_port_id()
    {
        using var first = NetlinkSocket.Open(NetlinkHeaders.NETLINK_ROUTE);
        using var second = NetlinkSocket.Open(NetlinkHeaders.NETLINK_ROUTE);

        Assert.NotEqual(0u, first.PortId);
        Assert.NotEqual(first.PortId, second.PortId);
    }

    [Fact]
    public void A_socket_stays_in_the_namespace_it_was_opened_in()
    {
        using var ns = new TestNetNs();
        ns.Exec("ip", "link", "add", "cv6t-d0", "type", "veth", "peer", "name", "cv6t-d1");

        // Opened inside the namespace, used from the test thread outside it.
        using RtNetlink rt = NetNamespace.Run(ns.Path, RtNetlink.Open);

        Assert.NotNull(rt.GetLink("cv6t-d0"));

        // Read-only look at the test process's own namespace: the link is not there.
        using RtNetlink here = RtNetlink.Open();
        Assert.Null(here.GetLink("cv6t-d0"));
    }
}
