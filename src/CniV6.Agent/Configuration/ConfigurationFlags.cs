using System.CommandLine;
using CniV6.Agent.Dataplane.Routing;

namespace CniV6.Agent.Configuration;

/// <summary>
/// The command-line flags that set configuration keys (the top layer of <see cref="AgentConfiguration"/>). Every
/// verb accepts them; a flag not in this table is an error, never silently ignored.
/// </summary>
internal static class ConfigurationFlags
{
    private static readonly (string Flag, string Key, string Description)[] Table =
    [
        ("--config", "Config", $"JSON configuration file (default {AgentConfiguration.DefaultConfigFile}, optional unless given)"),
        ("--node-name", "NodeName", "This node's name (default: the NODE_NAME environment variable)"),
        ("--source", "Source", "Where pools and peers come from: kubernetes (default) or static"),
        ("--kubeconfig", "Kubeconfig", "kubeconfig file (default: in-cluster service account)"),
        ("--routing-mode", "Routing:Mode", $"How pods reach other nodes' pods: {string.Join(", ", RoutingModes.Names)} (default {RoutingModes.Default})"),
        ("--vxlan-vni", "Vxlan:Vni", "VXLAN network identifier of the vxlan and auto modes, the same on every node (default 4096)"),
        ("--vxlan-port", "Vxlan:Port", "UDP port of the VXLAN tunnel, the same on every node (default 4789)"),
        ("--vxlan-underlay", "Vxlan:Underlay", "Preferred tunnel underlay when both nodes have an address of it: ipv6 (default) or ipv4"),
        ("--bgp-as", "Bgp:As", "AS number of this node in the bgp mode (default 64512, private)"),
        ("--bgp-mesh", "Bgp:Mesh", "bgp mode: a BGP session to every other node, true (default) or false when ToR routers or reflectors carry the routes"),
        ("--bgp-route-reflector", "Bgp:RouteReflector", "bgp mode: this node reflects routes between the other nodes, true or false (default)"),
        ("--cluster-cidr", "Cluster:PodCidrs", "The cluster's pod CIDRs, comma-separated (kube-controller-manager's --cluster-cidr); peers' pod CIDRs must lie inside"),
        ("--cni-conf-dir", "Cni:ConfDir", "Where the conflist is written (default /etc/cni/net.d)"),
        ("--cni-bin-dir", "Cni:BinDir", "Where the cniv6 plugin is installed (default /opt/cni/bin)"),
        ("--plugin-source", "Cni:PluginSource", "The plugin binary to install (default: cniv6 next to the agent)"),
        ("--reference-plugin-dirs", "Cni:ReferencePluginDirs", "Comma-separated directories portmap and loopback are copied from when the CNI bin dir has none (default /usr/lib/cniv6/plugins,/usr/lib/cni; empty: never)"),
        ("--network-name", "Cni:NetworkName", "CNI network name (default cniv6)"),
        ("--nat-backend", "Nat:Backend", "How pod traffic is masqueraded: auto (default: nftables in-process where available, else iptables), nftables or iptables"),
        ("--mtu", "Cni:Mtu", "Pod MTU (default: the uplink's, less the routing mode's overhead)"),
        ("--ipam-data-dir", "Cni:IpamDataDir", "IPAM state directory shared with the plugin (default /var/lib/cni/cniv6)"),
        ("--ipam-reclaim-grace-seconds", "Cni:IpamReclaimGraceSeconds", "Age before an address whose pod namespace and host veth are both gone is reclaimed (default 60)"),
        ("--health-address", "Health:Address", "Address of /healthz, /readyz and /metrics (default 127.0.0.1)"),
        ("--health-port", "Health:Port", "Port of /healthz, /readyz and /metrics; 0 turns them off (default 9646)"),
        ("--resync-seconds", "ResyncSeconds", "Full resync interval to repair drift (default 60)"),
        ("--log-level", "Logging:LogLevel:Default", "Trace, Debug, Information (default), Warning, Error"),
        ("--log-format", "Logging:Format", "text (default; one line per event) or json (one JSON object per line)"),
    ];

    /// <summary>One option per flag, recursive so that every verb takes them.</summary>
    public static IReadOnlyList<(Option<string> Option, string Key)> CreateOptions() =>
        [.. Table.Select(f => (new Option<string>(f.Flag) { Description = f.Description, HelpName = "value", Recursive = true }, f.Key))];

    /// <summary>The configuration keys the flags given on the command line set, in command-line order of definition.</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> Values(ParseResult parsed, IReadOnlyList<(Option<string> Option, string Key)> options) =>
        [.. options.Where(o => parsed.GetResult(o.Option) is { Implicit: false })
                   .Select(o => new KeyValuePair<string, string?>(o.Key, parsed.GetValue(o.Option)))];
}
