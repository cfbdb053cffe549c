using System.Net;
using CniV6.Agent.Dataplane.Routing.Vxlan;

namespace CniV6.Agent.Tests.Unit.Vxlan;

public class VxlanFirewallTests
{
    [Fact]
    public void The_table_admits_the_VXLAN_port_only_from_the_node_addresses_of_each_family()
    {
        var script = VxlanFirewall.Render(4789, [IPAddress.Parse("fd00:b22::13"), IPAddress.Parse("10.98.0.13"), IPAddress.Parse("fd00:a11::12")]);

        Assert.Equal(
            """
            table inet cniv6_vxlan
            delete table inet cniv6_vxlan
            table inet cniv6_vxlan {
              set nodes6 {
                type ipv6_addr;
                elements = { fd00:a11::12, fd00:b22::13 }
              }
              set nodes4 {
                type ipv4_addr;
                elements = { 10.98.0.13 }
              }
              chain input {
                type filter hook input priority -10; policy accept;
                meta nfproto ipv6 udp dport 4789 ip6 saddr != @nodes6 counter drop
                meta nfproto ipv4 udp dport 4789 ip saddr != @nodes4 counter drop
              }
            }

            """.ReplaceLineEndings("\n"),
            script);
    }

    [Fact]
    public void Without_nodes_of_a_family_its_set_is_empty_and_the_configured_port_is_used()
    {
        var script = VxlanFirewall.Render(8472, [IPAddress.Parse("fd00:b22::13")]);

        Assert.Contains("  set nodes4 {\n    type ipv4_addr;\n  }\n", script, StringComparison.Ordinal);
        Assert.Contains("udp dport 8472 ip saddr != @nodes4", script, StringComparison.Ordinal);
        Assert.DoesNotContain("4789", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Removal_works_whether_or_not_the_table_exists()
    {
        Assert.Equal("table inet cniv6_vxlan\ndelete table inet cniv6_vxlan\n", VxlanFirewall.RenderRemoval());
    }
}
