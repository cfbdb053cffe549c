using System.Net;
using CniV6.Core.Nat;

namespace CniV6.Agent.Dataplane.Linux;

/// <summary>
/// The plugin's masquerade chains through CniV6.Core's <see cref="MasqueradeRules"/>, in the agent's namespace.
/// <see cref="MasqueradeRules.Ensure"/> trusts its installation marker; a verifying pass checks the live rules
/// first and forces a rewrite when someone (a firewall reload, an iptables flush) changed them.
/// </summary>
internal sealed class IptablesMasqueradeControl : IMasqueradeControl
{
    private readonly MasqueradeRules _rules = new();

    public void Ensure(string networkName, IReadOnlyList<IPNetwork> pools, IReadOnlyList<IPNetwork> excludes, bool verify)
    {
        var force = verify && _rules.Check(networkName, pools, excludes).Count > 0;
        _rules.Ensure(networkName, pools, excludes, force);
    }
}
