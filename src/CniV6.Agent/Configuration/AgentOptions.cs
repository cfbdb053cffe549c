using System.Net;
using CniV6.Agent.Cluster;

namespace CniV6.Agent.Configuration;

/// <summary>Everything the agent is told, already parsed and validated (see <see cref="AgentOptionsReader"/>).</summary>
internal sealed record AgentOptions
{
    public required string NodeName { get; init; }

    public ClusterSourceKind Source { get; init; } = ClusterSourceKind.Kubernetes;

    /// <summary>A kubeconfig file; null means in-cluster service account.</summary>
    public string? Kubeconfig { get; init; }

    public string CniConfDir { get; init; } = "/etc/cni/net.d";

    public string CniConfFileName { get; init; } = "10-cniv6.conflist";

    public string CniBinDir { get; init; } = "/opt/cni/bin";

    /// <summary>The plugin binary to install; null skips installation.</summary>
    public string? PluginSource { get; init; }

    public string NetworkName { get; init; } = "cniv6";

    /// <summary>Pod interface MTU; null takes the MTU of the interface that carries this node's address.</summary>
    public int? Mtu { get; init; }

    public bool IpMasq { get; init; } = true;

    /// <summary>
    /// <c>Nat:Backend</c>: how masquerading is installed (auto, nftables, iptables). The agent uses it and writes it into
    /// the conflist, so the plugin on this node makes the same choice.
    /// </summary>
    public CniV6.Core.Nat.NatBackendPreference NatBackend { get; init; }

    /// <summary>Chain the reference portmap plugin (hostPort) after cniv6, as long as the CNI bin dir has it.</summary>
    public bool Portmap { get; init; } = true;

    /// <summary>
    /// Where a reference plugin the bin dir lacks (<see cref="Dataplane.ReferencePlugins"/>) is copied from, first match
    /// wins. Empty here (nothing is installed); <see cref="AgentOptionsReader"/> supplies
    /// <see cref="AgentOptionsReader.DefaultReferencePluginDirs"/> when the configuration does not say.
    /// </summary>
    public IReadOnlyList<string> ReferencePluginDirs { get; init; } = [];

    public string IpamDataDir { get; init; } = "/var/lib/cni/cniv6";

    /// <summary>
    /// Release addresses whose pod is provably gone (its network namespace and its host veth), since runtimes such as
    /// containerd never send CNI GC (see <see cref="Dataplane.Controllers.IpamReclaimController"/>).
    /// </summary>
    public bool IpamReclaim { get; init; } = true;

    /// <summary>How old an allocation must be before it may be reclaimed: far longer than any ADD takes.</summary>
    public TimeSpan IpamReclaimGrace { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How pods reach other nodes' pods: one of <see cref="Dataplane.Routing.RoutingModes.Names"/>.</summary>
    public string RoutingMode { get; init; } = Dataplane.Routing.RoutingModes.Default;

    /// <summary>The overlay's VNI, UDP port and underlay preference (<c>Vxlan:*</c>); used by the vxlan and auto modes.</summary>
    public Dataplane.Routing.Vxlan.VxlanOptions Vxlan { get; init; } = new();

    /// <summary>The bgp mode's AS, mesh, route reflector and peers (<c>Bgp:*</c>).</summary>
    public Dataplane.Routing.Bgp.BgpOptions Bgp { get; init; } = new();

    /// <summary>Runtime state that lives as long as the kernel state it describes (the installed routing mode).</summary>
    public string RunDirectory { get; init; } = "/run/cniv6";

    public IReadOnlyList<IPNetwork> ExtraMasqueradeExcludes { get; init; } = [];

    /// <summary>
    /// The cluster's pod CIDRs (kube-controller-manager's <c>--cluster-cidr</c>, kubeadm's <c>podSubnet</c>): every
    /// peer pod CIDR must lie inside one of them, and pod traffic to them keeps its source. Empty: peers are held to
    /// this node's own pool size instead, and the exclusions are the accepted peers' CIDRs.
    /// </summary>
    public IReadOnlyList<IPNetwork> ClusterPodCidrs { get; init; } = [];

    public IPAddress HealthAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Port of /healthz, /readyz and /metrics; 0 disables the endpoint.</summary>
    public int HealthPort { get; init; } = 9646;

    /// <summary>Full re-sync of routes and NAT even without changes, to repair drift.</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The static source: this node's pools and its peers. Empty in Kubernetes mode.</summary>
    public IReadOnlyList<IPNetwork> StaticPools { get; init; } = [];

    public IReadOnlyList<ClusterNode> StaticPeers { get; init; } = [];

    /// <summary>
    /// The static source: this node's own addresses (what peers list for it), the local end of its tunnels. Empty:
    /// peers on a shared segment are still routed directly, but none can be reached through the tunnel.
    /// </summary>
    public IReadOnlyList<IPAddress> StaticAddresses { get; init; } = [];
}
