using System.Net;
using System.Net.Sockets;
using System.Text;
using CniV6.Agent.Dataplane.Routing.Vxlan;

namespace CniV6.Agent.Tests.Unit.Vxlan;

public class TunnelAddressingTests
{
    [Theory]
    // Expected values from Python: "0e" + hashlib.sha256(ipaddress.ip_address(a).packed).hexdigest()[:10].
    [InlineData("fd00:a11::11", "0eed8286147c")]
    [InlineData("10.99.0.11", "0ec3a534c86c")]
    public void The_tunnel_MAC_is_0e_and_five_bytes_of_the_SHA_256_of_the_node_address(string address, string mac)
    {
        Assert.Equal(mac, Convert.ToHexStringLower(TunnelAddressing.MacOf(IPAddress.Parse(address))));
    }

    [Fact]
    public void Tunnel_MACs_are_locally_administered_unicast_and_differ_between_nodes()
    {
        var macs = Enumerable.Range(1, 2000)
            .Select(i => TunnelAddressing.MacOf(IPAddress.Parse($"fd00:a11::{i:x}")))
            .ToArray();

        Assert.All(macs, mac => Assert.Equal(0x02, mac[0] & 0x03));
        Assert.Equal(macs.Length, macs.Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public void The_tunnel_address_is_the_network_address_of_the_pod_CIDR()
    {
        Assert.Equal(IPAddress.Parse("fd00:10:244:3::"), TunnelAddressing.TunnelAddressOf(IPNetwork.Parse("fd00:10:244:3::/64")));
        Assert.Equal(IPAddress.Parse("10.244.3.0"), TunnelAddressing.TunnelAddressOf(IPNetwork.Parse("10.244.3.0/24")));
    }

    [Fact]
    public void Device_names_fit_the_kernels_15_bytes()
    {
        foreach (var family in new[] { AddressFamily.InterNetworkV6, AddressFamily.InterNetwork })
        {
            Assert.InRange(Encoding.ASCII.GetByteCount(TunnelAddressing.DeviceName(family)), 1, 15);
        }

        Assert.NotEqual(TunnelAddressing.DeviceName(AddressFamily.InterNetworkV6), TunnelAddressing.DeviceName(AddressFamily.InterNetwork));
    }

    [Fact]
    public void FormatMac_writes_colon_separated_lowercase_hex()
    {
        Assert.Equal("0e:c6:00:ab:01:ff", TunnelAddressing.FormatMac([0x0e, 0xc6, 0x00, 0xab, 0x01, 0xff]));
    }
}
