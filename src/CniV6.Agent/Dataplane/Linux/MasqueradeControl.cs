using System.Net;
using CniV6.Agent.Configuration;
using CniV6.Core.Nat;

namespace CniV6.Agent.Dataplane.Linux;

/// <summary>
/// The plugin's masquerade rules through CniV6.Core's <see cref="IMasqueradeBackend"/> (the node's backend, chosen by
/// <see cref="MasqueradeBackends"/> from <c>Nat:Backend</c>, which the conflist hands to the plugin too), in the
/// agent's namespace. <see cref="IMasqueradeBackend.Ensure"/> may trust its installation record (iptables); a
/// verifying pass checks the live rules first and forces a rewrite when someone (a firewall reload, a flush) changed
/// them. The backend is chosen once, on first use, so the agent follows the node's recorded choice.
/// </summary>
internal sealed class MasqueradeControl(AgentOptions options) : IMasqueradeControl
{
    private IMasqueradeBackend? _backend;

    public void Ensure(string networkName, IReadOnlyList<IPNetwork> pools, IReadOnlyList<IPNetwork> excludes, bool verify)
    {
        _backend ??= MasqueradeBackends.ForNode(options.NatBackend);
        var plan = MasqueradePlan.For(networkName, pools, excludes);
        var force = verify && _backend.Check(plan).Count > 0;
        _backend.Ensure(plan, force);
    }
}
