using System.Net;
using System.Net.Sockets;
using CniV6.Core.Config;
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

    public DoctorContext(NetworkOptions network, string binDir, string resolvConf, string? selfPath)
    {
        Network = network;
        BinDir = binDir;
        ResolvConf = resolvConf;
        SelfPath = selfPath;
        _confFile = new Lazy<CniConfFile?>(network.FindConfFile);
        _node = new Lazy<NodeSnapshot>(NodeSnapshot.Read);
    }

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
