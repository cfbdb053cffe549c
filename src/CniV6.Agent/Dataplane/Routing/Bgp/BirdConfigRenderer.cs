using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using CniV6.Agent.Cluster;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>
/// Renders BIRD 2's configuration from the (already screened) cluster state, this node's links and the
/// <see cref="BgpOptions"/>. Pure: the same input gives the same text byte for byte, so an unchanged state never
/// reconfigures BIRD, and protocol names are stable so that <c>birdc configure</c> keeps unchanged sessions up.
/// <list type="bullet">
/// <item>Announced: only this node's pod CIDRs. They enter BIRD through one static protocol per family and every
/// export filter accepts exactly those prefixes from exactly that protocol; a route reflector also passes on the
/// other nodes' pod CIDRs it learned. Nothing else (default routes, host routes, a pod's /128) can leave.</item>
/// <item>Imported: only the prefixes the cluster state assigns to other nodes (after <see cref="PeerScreen"/>),
/// exact matches. Only BGP routes for those prefixes go into the kernel, in the main table with BIRD's protocol
/// number (12, fixed in BIRD 2's netlink code) and <see cref="KernelMetric"/>, which together name them as ours.</item>
/// <item>Sessions: one per peer and family (IPv6 routes over IPv6 node addresses, IPv4 over IPv4), as Calico's
/// bird.cfg/bird6.cfg. In the mesh the node with the higher address is passive, so two nodes never race to open
/// the same session (calico#2458).</item>
/// <item>Graceful restart on every session and in the kernel protocol: a restarting BIRD (or agent) keeps the
/// kernel's routes and its peers keep this node's; ECMP through <c>merge paths</c>.</item>
/// </list>
/// </summary>
internal static class BirdConfigRenderer
{
    /// <summary>
    /// The kernel route priority of every route BIRD installs: distinct from the kernel's defaults (0 for IPv4,
    /// 1024 for IPv6) so BIRD's routes never collide with, replace or delete a route of the same destination someone
    /// else installed (BIRD deletes by destination, protocol and priority). The agent's protocol number.
    /// </summary>
    public const int KernelMetric = RouteProtocol.CniV6;

    /// <summary>BIRD's own protocol number on the routes it installs (RTPROT_BIRD).</summary>
    public const byte BirdRouteProtocol = 12;

    /// <summary>How long peers keep this node's routes while it restarts (RFC 4724 restart time, seconds).</summary>
    public const int GracefulRestartSeconds = 120;

    public static BirdConfig Render(ClusterState state, IReadOnlyList<LocalPrefix> localPrefixes, BgpOptions options)
    {
        var text = new StringBuilder();
        var sessions = new List<BirdSession>();
        var unroutable = new List<string>();
        var localAddresses = LocalAddresses(state, localPrefixes);
        var peers = state.Nodes.Where(n => n.Name != state.LocalNodeName).ToArray();
        var families = new[] { AddressFamily.InterNetworkV6, AddressFamily.InterNetwork }
            .Where(f => state.LocalPools.Any(p => p.BaseAddress.AddressFamily == f)
                        || peers.Any(n => n.PodCidrs.Any(c => c.BaseAddress.AddressFamily == f)))
            .ToArray();

        Line(text, "# Rendered by cniv6-agent (routing mode bgp) for node " + Comment(state.LocalNodeName) + ". Do not edit:");
        Line(text, "# the agent rewrites it on every change and applies it with `birdc configure`.");
        Line(text, $"router id {BgpRouterId.For(state.LocalNodeName, localAddresses)};");
        Line(text, "log stderr { info, remote, warning, error, auth, fatal, bug };");
        Line(text, "# After a restart with -R, the kernel is left as it was until the sessions are back, at most this long.");
        Line(text, "graceful restart wait 60;");
        Line(text, "");
        Line(text, "# Interfaces and their prefixes: next hops of multihop peers are resolved through them.");
        Line(text, "protocol device cniv6_device { scan time 10; }");
        Line(text, "protocol direct cniv6_direct {");
        foreach (var family in families)
        {
            Line(text, $"  {Channel(family)};");
        }

        Line(text, "}");

        foreach (var family in families)
        {
            var own = state.LocalPools.Where(p => p.BaseAddress.AddressFamily == family).OrderBy(Key, StringComparer.Ordinal).ToArray();
            var peerCidrs = peers.SelectMany(n => n.PodCidrs).Where(c => c.BaseAddress.AddressFamily == family)
                                 .Distinct().OrderBy(Key, StringComparer.Ordinal).ToArray();
            var suffix = Suffix(family);
            Line(text, "");
            Line(text, $"# {Channel(family)}: this node's pod CIDRs, the only routes it announces.");
            Line(text, $"protocol static cniv6_pods{suffix} {{");
            Line(text, $"  {Channel(family)};");
            foreach (var cidr in own)
            {
                Line(text, $"  route {cidr} blackhole;");
            }

            Line(text, "}");
            Line(text, "");
            Line(text, $"filter cniv6_export{suffix} {{");
            Line(text, own.Length == 0
                ? "  reject;"
                : $"  if proto = \"cniv6_pods{suffix}\" && net ~ {PrefixSet(own)} then accept;");
            Line(text, "  reject;");
            Line(text, "}");
            Line(text, "");
            Line(text, "# What a route reflector passes on: this node's pod CIDRs and the other nodes' it learned.");
            Line(text, $"filter cniv6_reflect{suffix} {{");
            if (own.Length > 0)
            {
                Line(text, $"  if proto = \"cniv6_pods{suffix}\" && net ~ {PrefixSet(own)} then accept;");
            }

            if (peerCidrs.Length > 0)
            {
                Line(text, $"  if source = RTS_BGP && net ~ {PrefixSet(peerCidrs)} then accept;");
            }

            Line(text, "  reject;");
            Line(text, "}");
            Line(text, "");
            Line(text, "# Only the other nodes' pod CIDRs, as the cluster assigns them, are accepted from any peer.");
            Line(text, $"filter cniv6_import{suffix} {{");
            if (peerCidrs.Length > 0)
            {
                Line(text, $"  if net ~ {PrefixSet(peerCidrs)} then accept;");
            }

            Line(text, "  reject;");
            Line(text, "}");
            Line(text, "");
            Line(text, $"# Into the kernel: BGP routes for other nodes' pod CIDRs, nothing else; several equal paths become one ECMP route.");
            Line(text, $"protocol kernel cniv6_kernel{suffix} {{");
            Line(text, $"  {Channel(family)} {{");
            // Learned routes (the default route, routes via routers) only resolve the next hops of multihop peers;
            // no filter ever sends them on. Pod routes are never learned.
            Line(text, $"    import filter {{ if net ~ {PrefixSet(own.Concat(peerCidrs), orLonger: true)} then reject; accept; }};");
            Line(text, peerCidrs.Length == 0
                ? "    export none;"
                : $"    export filter {{ if source = RTS_BGP && net ~ {PrefixSet(peerCidrs)} then accept; reject; }};");
            Line(text, "  };");
            Line(text, "  kernel table 254;");
            Line(text, "  learn;");
            Line(text, $"  metric {KernelMetric};");
            Line(text, "  merge paths on;");
            Line(text, "  graceful restart on;");
            Line(text, "  scan time 10;");
            Line(text, "}");
        }

        Line(text, "");
        Line(text, "template bgp cniv6_session {");
        Line(text, $"  local as {options.As.ToString(CultureInfo.InvariantCulture)};");
        Line(text, "  graceful restart on;");
        Line(text, $"  graceful restart time {GracefulRestartSeconds};");
        Line(text, "  connect delay time 1;");
        Line(text, "  connect retry time 5;");
        Line(text, "  error wait time 1, 30;");
        // A node that vanishes without closing its sessions is noticed after 30 s, not BGP's default 240 s.
        Line(text, "  hold time 30;");
        Line(text, "  keepalive time 10;");
        Line(text, "}");

        var nodeSessionsAreReflected = options.RouteReflector;
        if (options.Mesh || options.RouteReflector)
        {
            foreach (var peer in peers)
            {
                foreach (var family in families)
                {
                    var local = localAddresses.FirstOrDefault(a => a.AddressFamily == family);
                    var remote = peer.AddressOf(family);
                    if (local is null || remote is null)
                    {
                        unroutable.Add($"{peer.Name}: no {Channel(family)} session, {(local is null ? "this node" : "the peer")} has no {Channel(family)} node address");
                        continue;
                    }

                    var kind = nodeSessionsAreReflected ? "rr-client" : "mesh";
                    var name = (nodeSessionsAreReflected ? "rr" : "mesh") + Suffix(family) + "_" + ProtocolId(peer.Name);
                    sessions.Add(new BirdSession(name, peer.Name, remote, kind));
                    Line(text, "");
                    Line(text, $"# {kind} session with node {Comment(peer.Name)}");
                    Line(text, $"protocol bgp {name} from cniv6_session {{");
                    Line(text, $"  local {local} as {options.As.ToString(CultureInfo.InvariantCulture)};");
                    Line(text, $"  neighbor {remote} as {options.As.ToString(CultureInfo.InvariantCulture)};");
                    Line(text, OnSharedSegment(remote, localPrefixes) ? "  direct;" : "  multihop;");
                    if (nodeSessionsAreReflected)
                    {
                        // The clients open the sessions to their reflectors; see the explicit peers on their side.
                        Line(text, "  rr client;");
                        Line(text, "  passive on;");
                    }
                    else if (Compare(local, remote) > 0)
                    {
                        Line(text, "  passive on;");
                    }

                    // A reflector keeps the next hop: traffic goes straight to the node that owns the pod CIDR.
                    Line(text, nodeSessionsAreReflected
                        ? $"  {Channel(family)} {{ import filter cniv6_import{Suffix(family)}; export filter cniv6_reflect{Suffix(family)}; }};"
                        : $"  {Channel(family)} {{ import filter cniv6_import{Suffix(family)}; export filter cniv6_export{Suffix(family)}; next hop self; }};");
                    Line(text, "}");
                }
            }
        }

        foreach (var peer in options.PeerList.Where(p => p.AppliesTo(state.LocalNodeName)))
        {
            var family = peer.Address.AddressFamily;
            if (!families.Contains(family))
            {
                unroutable.Add($"{peer.Address}: no session, the cluster has no {Channel(family)} pod CIDRs");
                continue;
            }

            var local = localAddresses.FirstOrDefault(a => a.AddressFamily == family);
            if (localAddresses.Contains(peer.Address))
            {
                continue; // this node is the reflector its clients list
            }

            var name = "peer" + Suffix(family) + "_" + ProtocolId(peer.Address.ToString());
            var ebgp = peer.As != options.As;
            sessions.Add(new BirdSession(name, peer.Address.ToString(), peer.Address, "peer"));
            Line(text, "");
            Line(text, $"# {(ebgp ? "eBGP" : "iBGP")} peer {peer.Address} (AS {peer.As.ToString(CultureInfo.InvariantCulture)})");
            Line(text, $"protocol bgp {name} from cniv6_session {{");
            Line(text, local is null
                ? $"  local as {options.As.ToString(CultureInfo.InvariantCulture)};"
                : $"  local {local} as {options.As.ToString(CultureInfo.InvariantCulture)};");
            Line(text, $"  neighbor {peer.Address} as {peer.As.ToString(CultureInfo.InvariantCulture)};");
            Line(text, peer.Multihop is { } hops ? $"  multihop {hops.ToString(CultureInfo.InvariantCulture)};" : "  direct;");
            if (ebgp)
            {
                // Nodes behind the same top-of-rack router share this AS, so another node's routes arrive with it in
                // the path once; the import filter, not the AS path, is what keeps foreign prefixes out.
                Line(text, "  allow local as 1;");
            }

            if (peer.Password is { } password)
            {
                Line(text, $"  password \"{password}\";");
            }

            Line(text, $"  {Channel(family)} {{ import filter cniv6_import{Suffix(family)}; export filter cniv6_{(options.RouteReflector ? "reflect" : "export")}{Suffix(family)}; next hop self; }};");
            Line(text, "}");
        }

        return new BirdConfig(text.ToString(), sessions, unroutable);
    }

    /// <summary>
    /// Whether a password can be written into BIRD's configuration as a quoted string: printable ASCII without the
    /// quote and backslash that would end or escape it (anything else could inject configuration).
    /// </summary>
    public static bool IsRenderablePassword(string password) =>
        password.Length is > 0 and <= 80 && password.All(c => c is >= ' ' and <= '~' and not '"' and not '\\');

    /// <summary>This node's addresses: its own Node object's first, then its links' global addresses.</summary>
    private static IReadOnlyList<IPAddress> LocalAddresses(ClusterState state, IReadOnlyList<LocalPrefix> localPrefixes) =>
        [.. (state.Nodes.FirstOrDefault(n => n.Name == state.LocalNodeName)?.InternalAddresses ?? [])
            .Concat(localPrefixes.Select(p => p.Address))
            .Distinct()];

    private static bool OnSharedSegment(IPAddress remote, IReadOnlyList<LocalPrefix> localPrefixes) =>
        localPrefixes.Any(p => p.Prefix.Contains(remote));

    /// <summary>A BIRD symbol from a node name or address: letters, digits and '_', plus a hash so two names never meet.</summary>
    internal static string ProtocolId(string name)
    {
        var cleaned = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            cleaned.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '_');
            if (cleaned.Length == 32)
            {
                break;
            }
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        return cleaned + "_" + Convert.ToHexStringLower(hash, 0, 3);
    }

    private static int Compare(IPAddress a, IPAddress b) => a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes());

    private static string PrefixSet(IEnumerable<IPNetwork> cidrs, bool orLonger = false) =>
        "[ " + string.Join(", ", cidrs.Select(c => c + (orLonger ? "+" : ""))) + " ]";

    private static string Key(IPNetwork cidr) => cidr.ToString();

    private static string Channel(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";

    private static string Suffix(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "6" : "4";

    /// <summary>Text for a comment line: no line break can end the comment early.</summary>
    private static string Comment(string text) => new([.. text.Select(c => char.IsControl(c) ? '?' : c)]);

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}
