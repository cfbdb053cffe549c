using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CniV6.Core.Config;

/// <summary>
/// The plugin's network configuration (stdin of every command), validated by <see cref="NetworkConfigParser"/>.
/// Raw sections (<see cref="PrevResult"/>, <see cref="RuntimeConfig"/>, <see cref="IpamConfig.Raw"/>) are detached
/// clones and stay valid after parsing.
/// </summary>
public sealed class NetworkConfig
{
    public const string DefaultLogFile = "/var/log/cniv6/cniv6.log";

    /// <summary>The log file is rotated before it would grow past this (10 MiB); 0 = never rotated.</summary>
    public const int DefaultLogFileMaxBytes = 10 * 1024 * 1024;

    /// <summary>How many rotated files (<c>cniv6.log.1</c> … <c>.N</c>) are kept.</summary>
    public const int DefaultLogFileMaxFiles = 5;

    /// <summary>Upper bound of <c>logFileMaxFiles</c>: rotation renames every kept file once.</summary>
    public const int MaxLogFileMaxFiles = 100;

    /// <summary>The plugin's <c>"type"</c>: the file name of its executable in the runtime's CNI bin directory.</summary>
    public const string PluginType = "cniv6";

    public required string Name { get; init; }

    /// <summary>One of <see cref="CniVersion.Supported"/>; results are written in this version.</summary>
    public required string CniVersion { get; init; }

    public required string Type { get; init; }

    /// <summary>MTU of the pod interface and host veth; null = kernel default.</summary>
    public int? Mtu { get; init; }

    public bool IpMasq { get; init; } = true;

    /// <summary>Destinations never masqueraded (besides the pools themselves), <c>"masqueradeExclude"</c>.</summary>
    public IReadOnlyList<IPNetwork> MasqueradeExclude { get; init; } = [];

    /// <summary><c>"natBackend"</c>: auto (nftables where it works, else iptables), nftables or iptables.</summary>
    public Nat.NatBackendPreference NatBackend { get; init; }

    public string LogFile { get; init; } = DefaultLogFile;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary><c>"logFileMaxBytes"</c>: size cap of the log file before it is rotated; 0 = no cap.</summary>
    public int LogFileMaxBytes { get; init; } = DefaultLogFileMaxBytes;

    /// <summary><c>"logFileMaxFiles"</c>: rotated files kept besides the current one (1–100).</summary>
    public int LogFileMaxFiles { get; init; } = DefaultLogFileMaxFiles;

    /// <summary><c>"disableGC"</c>: when true the GC command does nothing.</summary>
    public bool DisableGc { get; init; }

    public required IpamConfig Ipam { get; init; }

    /// <summary>The previous plugin's result (CHECK, DEL, chained ADD) as an object; the plugin parses it as a CNI result.</summary>
    public JsonElement? PrevResult { get; init; }

    /// <summary><c>"runtimeConfig"</c> object (capability arguments) as received.</summary>
    public JsonElement? RuntimeConfig { get; init; }

    /// <summary>GC only: <c>"cni.dev/valid-attachments"</c>; empty when absent.</summary>
    public IReadOnlyList<CniAttachment> ValidAttachments { get; init; } = [];
}
