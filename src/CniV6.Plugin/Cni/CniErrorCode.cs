using CniV6.Core.Config;

namespace CniV6.Plugin.Cni;

/// <summary>Error codes of the CNI specification (SPEC.md "Error"); 100+ are ours.</summary>
internal static class CniErrorCode
{
    public const int IncompatibleVersion = ConfigErrorCode.IncompatibleVersion;
    public const int UnsupportedField = 2;
    public const int UnknownContainer = 3;
    public const int InvalidEnvironment = 4;
    public const int IoFailure = 5;
    public const int DecodingFailure = ConfigErrorCode.DecodingFailure;
    public const int InvalidNetworkConfig = ConfigErrorCode.InvalidNetworkConfig;

    /// <summary>CNI_NETNS is unusable, e.g. the plugin's own namespace (libcni's ErrInvalidNetNS).</summary>
    public const int InvalidNetNs = 8;
    public const int TryAgainLater = 11;
    /// <summary>STATUS: the plugin cannot service ADD requests.</summary>
    public const int PluginNotAvailable = 50;

    /// <summary>STATUS: not available, and existing pods may have limited connectivity.</summary>
    public const int PluginNotAvailableLimitedConnectivity = 51;

    /// <summary>Generic plugin-specific failure (first code the specification leaves to plugins).</summary>
    public const int PluginFailure = 100;

    /// <summary>CHECK found the attachment different from prevResult.</summary>
    public const int CheckFailed = 101;

    /// <summary>No free address left in a pool.</summary>
    public const int PoolExhausted = 102;

    /// <summary>A delegated plugin could not be run, timed out or failed without a CNI error object.</summary>
    public const int DelegatedPluginFailed = 103;

    /// <summary>The node has no usable nat table (module not loaded, IPv6 disabled) or iptables failed.</summary>
    public const int NatUnavailable = 104;

    /// <summary>An exception that was not a <see cref="CniException"/>; the same number libcni's skel uses.</summary>
    public const int Internal = 999;
}
