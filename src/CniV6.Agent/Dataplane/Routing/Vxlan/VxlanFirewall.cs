using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CniV6.Agent.Dataplane.Routing.Vxlan;

/// <summary>
/// The rules that let encapsulated packets in only from cluster nodes: the kernel's vxlan device accepts a packet
/// from any source on its UDP port (learning off only stops it from learning the source), so without them anyone
/// who can reach the port could inject packets into pods. One nftables table of the agent's own, both families,
/// replaced as a whole in one transaction (libnftables applies a script atomically, as nft -f: no moment without rules).
/// </summary>
internal static class VxlanFirewall
{
    /// <summary>Our table; nothing else of the host's firewall is touched.</summary>
    public const string Table = "cniv6_vxlan";

    /// <summary>
    /// An nft script that (re)creates the table: packets to <paramref name="port"/> whose source is not one of
    /// <paramref name="nodes"/> are counted and dropped before they reach the socket. The leading
    /// <c>table</c>/<c>delete table</c> pair makes the script work whether or not the table exists.
    /// </summary>
    public static string Render(ushort port, IEnumerable<IPAddress> nodes)
    {
        var addresses = nodes.Distinct().ToArray();
        var text = new StringBuilder();
        text.Append("table inet ").Append(Table).Append('\n');
        text.Append("delete table inet ").Append(Table).Append('\n');
        text.Append("table inet ").Append(Table).Append(" {\n");
        AppendSet(text, "nodes6", "ipv6_addr", addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6));
        AppendSet(text, "nodes4", "ipv4_addr", addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork));
        text.Append("  chain input {\n");

        // Before the usual filter chains (priority 0), so a host firewall that accepts the port does not matter.
        text.Append("    type filter hook input priority -10; policy accept;\n");
        text.Append("    meta nfproto ipv6 udp dport ").Append(port).Append(" ip6 saddr != @nodes6 counter drop\n");
        text.Append("    meta nfproto ipv4 udp dport ").Append(port).Append(" ip saddr != @nodes4 counter drop\n");
        text.Append("  }\n}\n");
        return text.ToString();
    }

    /// <summary>An nft script that removes the table if it is there.</summary>
    public static string RenderRemoval() =>
        $"table inet {Table}\ndelete table inet {Table}\n";

    private static void AppendSet(StringBuilder text, string name, string type, IEnumerable<IPAddress> elements)
    {
        text.Append("  set ").Append(name).Append(" {\n    type ").Append(type).Append(";\n");
        var list = elements.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToArray();
        if (list.Length > 0)
        {
            // An empty "elements = { }" is a syntax error; an empty set simply matches nothing.
            text.Append("    elements = { ").AppendJoin(", ", list).Append(" }\n");
        }

        text.Append("  }\n");
    }
}
