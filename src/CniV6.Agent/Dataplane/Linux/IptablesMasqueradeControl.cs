using System.Net;
using CniV6.Core.Nat;

namespace CniV6.Agent.Dataplane.Linux;

/// <summary>The plugin's masquerade chains through CniV6.Core's <see cref="MasqueradeRules"/> (ip6tables/iptables).</summary>
internal sealed class IptablesMasqueradeControl : IMasqueradeControl
{
    public void Ensure(string networkName, IReadOnlyList<IPNetwork> pools, IReadOnlyList<IPNetwork> excludes) =>
        MasqueradeRules.Ensure(networkName, pools, excludes);
}
