using System.Net;
using System.Text.Json;

namespace CniV6.Core.Config;

/// <summary>
/// The <c>"ipam"</c> section. With <see cref="IsBuiltIn"/> the plugin allocates from <see cref="Pools"/> itself;
/// otherwise <see cref="Type"/> names a delegated IPAM plugin (the plugin runs it) and
/// <see cref="Pools"/> is empty — the delegate reads its own settings from <see cref="Raw"/>.
/// </summary>
public sealed class IpamConfig
{
    public const string BuiltInType = "cniv6";
    public const string DefaultDataDir = "/var/lib/cni/cniv6";

    public string Type { get; init; } = BuiltInType;

    public bool IsBuiltIn => Type == BuiltInType;

    /// <summary>At most one IPv6 and one IPv4 network in configuration order, each with at least one usable address.</summary>
    public IReadOnlyList<IPNetwork> Pools { get; init; } = [];

    public string DataDir { get; init; } = DefaultDataDir;

    /// <summary>The <c>"ipam"</c> object as received; null when the configuration had none.</summary>
    public JsonElement? Raw { get; init; }
}
