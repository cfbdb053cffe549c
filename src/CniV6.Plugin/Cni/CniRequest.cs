using CniV6.Core.Config;

namespace CniV6.Plugin.Cni;

/// <summary>
/// A validated CNI invocation. For GC and STATUS <see cref="ContainerId"/> and <see cref="IfName"/> are empty;
/// <see cref="NetNs"/> is null when the runtime did not pass one (always allowed for DEL, GC, STATUS).
/// </summary>
/// <param name="Args">Pairs of <c>CNI_ARGS</c> in their original order.</param>
/// <param name="Path">Directories of <c>CNI_PATH</c>, empty entries removed.</param>
/// <param name="StdinBytes">The configuration exactly as received, for delegated plugins.</param>
internal sealed record CniRequest(
    string Command,
    string ContainerId,
    string? NetNs,
    string IfName,
    IReadOnlyList<KeyValuePair<string, string>> Args,
    IReadOnlyList<string> Path,
    NetworkConfig Config,
    byte[] StdinBytes);
