namespace CniV6.Core.Nat;

/// <summary>Which iptables implementation the node's other rules live in; ours must go to the same one.</summary>
public enum IptablesVariant
{
    /// <summary>iptables-nft: the iptables syntax on top of nf_tables.</summary>
    Nft,

    /// <summary>iptables-legacy: the x_tables kernel interface.</summary>
    Legacy,
}
