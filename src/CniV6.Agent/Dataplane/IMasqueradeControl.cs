using System.Net;

namespace CniV6.Agent.Dataplane;

/// <summary>The plugin's per-network MASQUERADE chains (ip6tables and iptables).</summary>
internal interface IMasqueradeControl
{
    /// <summary>
    /// Makes the chain masquerade traffic from <paramref name="pools"/> except to <paramref name="excludes"/>.
    /// With <paramref name="verify"/> the live rules are inspected and repaired even if they were made before.
    /// </summary>
    void Ensure(string networkName, IReadOnlyList<IPNetwork> pools, IReadOnlyList<IPNetwork> excludes, bool verify);
}
