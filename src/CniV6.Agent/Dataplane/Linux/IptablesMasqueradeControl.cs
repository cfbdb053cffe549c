using System.Net;
using CniV6.Core.Nat;

namespace CniV6.Agent.Dataplane.Linux;

/// <summary>
/// The plugin's masquerade rules through CniV6.Core's <see cref="IMasqueradeBackend"/> (the node's backend, chosen by
/// <see cref="MasqueradeBackends"/>), in the agent's namespace. <see cref="IMasqueradeBackend.Ensure"/> may trust its
/// installation record; a verifying pass checks the live rules first and forces a rewrite when someone (a firewall
/// reload, an iptables flush) changed them.
/// </summary>
internal sealed class IptablesMasqueradeControl : IMasqueradeControl
{
    private readonly IMasqueradeBackend _backend = MasqueradeBackends.ForNode();

    public void Ensure(string networkName, IReadOnlyList<IPNetwork> pools, IReadOnlyList<IPNetwork> excludes, bool verify)
    {
        var plan = MasqueradePlan.For(networkName, pools, excludes);
        var force = verify && _backend.Check(plan).Count > 0;
        _backend.Ensure(plan, force);
    }
}
