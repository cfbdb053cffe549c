using System.Net.Sockets;
using CniV6.Core.Hashing;
using CniV6.Netlink;

namespace CniV6.Core.Nat;

/// <summary>
/// One family of a <see cref="MasqueradePlan"/> rendered for iptables: the rules of the network's chain and the
/// POSTROUTING jump, written exactly as iptables-save prints them so that the installed state can be compared
/// line by line.
/// </summary>
internal sealed class IptablesMasqueradeChain
{
    private const string ChainPrefix = "CNIV6-MASQ-";

    private IptablesMasqueradeChain(string network, AddressFamily family, string chain, IReadOnlyList<string> rules, string ownerTag)
    {
        Network = network;
        Family = family;
        Chain = chain;
        Rules = rules;
        JumpSpec = $"-m comment --comment \"{ownerTag}\" -j {chain}";
    }

    public string Network { get; }

    public AddressFamily Family { get; }

    public string Chain { get; }

    /// <summary>The chain's rules in order, as <c>-A CHAIN …</c> lines.</summary>
    public IReadOnlyList<string> Rules { get; }

    /// <summary>The POSTROUTING rule that sends traffic into the chain, without the <c>-A POSTROUTING</c>.</summary>
    public string JumpSpec { get; }

    public string JumpRule => "-A POSTROUTING " + JumpSpec;

    /// <summary><c>CNIV6-MASQ-</c> + 8 hex chars of SHA-256(network name): stable, and short enough for the 28-char chain limit.</summary>
    public static string ChainNameOf(string network) =>
        ChainPrefix + Sha256.HexOf(network)[..8];

    /// <summary>The chains of every family in <paramref name="plan"/>, IPv6 first.</summary>
    public static IReadOnlyList<IptablesMasqueradeChain> For(MasqueradePlan plan) =>
        [.. plan.Families.Select(family => For(plan, family))];

    /// <summary>RETURN for every exempt destination, then MASQUERADE for every source pool.</summary>
    public static IptablesMasqueradeChain For(MasqueradePlan plan, FamilyMasquerade family)
    {
        string chain = ChainNameOf(plan.Network);
        var rules = new List<string>();
        foreach (string destination in family.ExemptDestinations.Select(Cidr.Format).Distinct(StringComparer.Ordinal))
        {
            rules.Add($"-A {chain} -d {destination} -j RETURN");
        }

        foreach (string source in family.Sources.Select(Cidr.Format))
        {
            rules.Add($"-A {chain} -s {source} -j MASQUERADE");
        }

        return new IptablesMasqueradeChain(plan.Network, family.Family, chain, rules, plan.OwnerTag);
    }
}
