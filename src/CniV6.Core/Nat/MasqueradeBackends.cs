namespace CniV6.Core.Nat;

/// <summary>
/// The one place that decides how this node masquerades, shared by the plugin and the agent so both write the same
/// rules to the same place. Only iptables exists today; a native nftables backend is chosen here when it lands.
/// </summary>
public static class MasqueradeBackends
{
    /// <summary>The backend for the node, in the network namespace of the calling thread.</summary>
    public static IMasqueradeBackend ForNode() => new IptablesMasqueradeBackend();
}
