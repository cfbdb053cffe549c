using System.Net;

namespace CniV6.Netlink;

/// <summary>A unicast route.</summary>
/// <param name="Destination">RTA_DST / rtm_dst_len; prefix length 0 is the default route.</param>
/// <param name="Gateway">RTA_GATEWAY; null for a directly connected (device) route.</param>
/// <param name="OutputIndex">RTA_OIF; 0 when absent.</param>
/// <param name="Scope">rtm_scope (see <see cref="RouteScope"/>).</param>
/// <param name="Protocol">rtm_protocol: who installed the route (see <see cref="RouteProtocol"/>). Deletion matches it.</param>
/// <param name="Table">RTA_TABLE (or rtm_table) (see <see cref="RouteTable"/>).</param>
/// <param name="PreferredSource">RTA_PREFSRC.</param>
/// <param name="Priority">RTA_PRIORITY (the metric); null lets the kernel choose (IPv6: 1024).</param>
/// <param name="OnLink">
/// RTNH_F_ONLINK in rtm_flags: the gateway is reachable on the output link even though no address of the link
/// covers it (e.g. a peer's tunnel address on a vxlan device).
/// </param>
public sealed record RouteInfo(
    IPNetwork Destination,
    IPAddress? Gateway,
    int OutputIndex,
    byte Scope = RouteScope.Universe,
    byte Protocol = RouteProtocol.Boot,
    int Table = RouteTable.Main,
    IPAddress? PreferredSource = null,
    uint? Priority = null,
    bool OnLink = false);
