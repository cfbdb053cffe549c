using System.Net;
using System.Net.Sockets;
using CniV6.Core.Config;
using CniV6.Core.NodeState;
using CniV6.Linux;
using CniV6.Plugin.Cli;

namespace CniV6.Plugin.Doctor;

/// <summary>
/// What every check may read, each piece loaded once on first use: the options, the network's configuration (the
/// file the runtime would use), the node's links and routes, and sysctls of the namespace doctor runs in.
/// </summary>
internal sealed class DoctorContext
{
    public const string DefaultBinDir = "/opt/cni/bin";
    public const string DefaultResolvConf = "/etc/resolv.conf";

    private readonly Lazy<CniConfFile?> _confFile;
    private readonly Lazy<NodeSnapshot> _node;
    private readonly Lazy<(AgentNodeRecord? Record, string? Problem)> _agentNode;

    public DoctorContext(NetworkOptions network, string binDir, string resolvConf, string? selfPath, NodeStateFiles nodeState)
    {
        Network = network;
        BinDir = binDir;
        ResolvConf = resolvConf;
        SelfPath = selfPath;
        NodeState = nodeState;
        _confFile = new Lazy<CniConfFile?>(network.FindConfFile);
        _node = new Lazy<NodeSnapshot>(NodeSnapshot.Read);
        _agentNode = new Lazy<(AgentNodeRecord?, string?)>(() =>
        {
            try
            {
                return (nodeState.ReadNode(), null);
            }
            catch (InvalidDataException e)
            {
                return (null, e.Message);
            }
        });
    }

    /// <summary>cniv6-agent's records for this network namespace (<c>--run-dir</c>).</summary>
    public NodeStateFiles NodeState { get; }

    /// <summary>What the agent recorded about this node; null when it recorded nothing (no agent here) or it is unreadable.</summary>
    public AgentNodeRecord? AgentNode => _agentNode.Value.Record;

    /// <summary>Why the agent's node record could not be read; null when it was read or is absent.</summary>
    public string? AgentNodeProblem => _agentNode.Value.Problem;

    public NetworkOptions Network { get; }

    /// <summary>The runtime's CNI bin directory (<c>--bin-dir</c>).</summary>
    public string BinDir { get; }

    /// <summary>The resolv.conf pods with dnsPolicy Default (CoreDNS) inherit (<c>--resolv-conf</c>).</summary>
    public string ResolvConf { get; }

    /// <summary>This executable, for fixes that install it.</summary>
    public string? SelfPath { get; }

    /// <summary>Our configuration file (the first with a cniv6 plugin, or <c>--conflist</c>); null when there is none.</summary>
    public CniConfFile? ConfFile => _confFile.Value;

    /// <summary>The cniv6 plugin's configuration when the file is valid.</summary>
    public NetworkConfig? Config => ConfFile?.Config;

    public IReadOnlyList<IPNetwork> Pools => Config?.Ipam.Pools ?? [];

    /// <summary>The network's name (<c>--network</c> first).</summary>
    public string? NetworkName => Network.Network ?? Config?.Name;

    public NodeSnapshot Node => _node.Value;

    /// <summary>
    /// How long the agent's IPAM reclaim leaves a leaked allocation alone: as the agent of this network recorded it,
    /// else its default.
    /// </summary>
    public TimeSpan ReclaimGrace =>
        AgentNode is { IpamReclaimGraceSeconds: { } seconds } record && record.Network == NetworkName && double.IsFinite(seconds) && seconds is >= 0 and < 1e9
            ? TimeSpan.FromSeconds(seconds)
            : Core.Ipam.LeakedAllocations.DefaultGrace;

    /// <summary>The families pods get addresses of: those of the pools; IPv6 alone when unknown (delegated IPAM, no config).</summary>
    public IReadOnlyList<AddressFamily> Families
    {
        get
        {
            List<AddressFamily> families = [.. Pools.Select(p => p.BaseAddress.AddressFamily).Distinct().OrderBy(f => f == AddressFamily.InterNetwork)];
            return families.Count > 0 ? families : [AddressFamily.InterNetworkV6];
        }
    }

    /// <summary>A sysctl of doctor's network namespace; null when the key does not exist or cannot be read.</summary>
    public static string? ReadSysctl(string key)
    {
        try
        {
            return Sysctl.Read(key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string FamilyName(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
}
