using System.Net;
using System.Net.Sockets;
using CniV6.Core.Hashing;
using System.Text;
using CniV6.Core.Ipam;
using CniV6.Netlink;

namespace CniV6.Core.Nat;

/// <summary>
/// The rules one network wants in one family's nat table, written exactly as iptables-save prints them so
/// that the installed state can be compared line by line.
/// </summary>
internal sealed class MasqueradeChain
{
    private const string ChainPrefix = "CNIV6-MASQ-";

    // Never masquerade traffic that cannot leave the link (link-local) or is multicast.
    private static readonly IPNetwork[] NeverMasqueradedV6 = [IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8")];
    private static readonly IPNetwork[] NeverMasqueradedV4 = [IPNetwork.Parse("224.0.0.0/4")];

    private MasqueradeChain(string network, AddressFamily family, string chain, IReadOnlyList<string> rules)
    {
        Network = network;
        Family = family;
        Chain = chain;
        Rules = rules;
        JumpSpec = $"-m comment --comment \"cniv6 masquerade {network}\" -j {chain}";
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

    /// <summary>The chain for <paramref name="family"/>, or null when the network has no pool of that family.</summary>
    public static MasqueradeChain? For(string network, AddressFamily family, IReadOnlyList<IPNetwork> pools, IReadOnlyList<IPNetwork> excludes)
    {
        IPNetwork[] familyPools = [.. pools.Where(p => p.BaseAddress.AddressFamily == family)];
        if (familyPools.Length == 0)
        {
            return null;
        }

        string chain = ChainNameOf(network);
        IEnumerable<IPNetwork> exempt = familyPools
            .Concat(excludes.Where(e => e.BaseAddress.AddressFamily == family))
            .Concat(family == AddressFamily.InterNetworkV6 ? NeverMasqueradedV6 : NeverMasqueradedV4);
        var rules = new List<string>();
        foreach (string destination in exempt.Select(Cidr.Format).Distinct(StringComparer.Ordinal))
        {
            rules.Add($"-A {chain} -d {destination} -j RETURN");
        }

        foreach (IPNetwork pool in familyPools)
        {
            rules.Add($"-A {chain} -s {Cidr.Format(pool)} -j MASQUERADE");
        }

        return new MasqueradeChain(network, family, chain, rules);
    }
}
