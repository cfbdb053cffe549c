using System.Net;
using System.Net.Sockets;
using System.Text;
using CniV6.Core.Hashing;

namespace CniV6.Core.Nat;

/// <summary>
/// A <see cref="MasqueradePlan"/> rendered for nftables: one base chain per network in our table
/// (<see cref="NftablesMasqueradeBackend.Table"/>), hooked to postrouting for both families at once, holding a
/// <c>return</c> for every exempt destination and then a <c>masquerade</c> for every pool, IPv6 first. Rules are
/// written exactly as <c>nft list</c> prints them (stateless), so the live chain compares line by line.
/// </summary>
internal sealed class NftablesMasqueradeChain
{
    /// <summary>
    /// Priority 110 = srcnat + 10, after the iptables nat table and kube-proxy's nftables chains (both at srcnat, 100):
    /// the first nat chain that maps a connection decides its source, so a SNAT or MASQUERADE somebody else installed
    /// on purpose wins, and ours applies to pod traffic nobody else translated. Written and listed numerically
    /// (<see cref="LibNftables.NFT_CTX_OUTPUT_NUMERIC_PRIO"/>), which every nft version prints the same way.
    /// </summary>
    public const string Hook = "type nat hook postrouting priority 110; policy accept;";

    private const string ChainPrefix = "masq-";

    private NftablesMasqueradeChain(string network, string chain, IReadOnlyList<string> rules)
    {
        Network = network;
        Chain = chain;
        Rules = rules;
    }

    public string Network { get; }

    public string Chain { get; }

    /// <summary>The chain's rules in order, as <c>nft list</c> prints them without counter values.</summary>
    public IReadOnlyList<string> Rules { get; }

    /// <summary><c>masq-</c> + 8 hex chars of SHA-256(network name), the same hash as the iptables chain.</summary>
    public static string ChainNameOf(string network) => ChainPrefix + Sha256.HexOf(network)[..8];

    /// <summary>The chain of <paramref name="plan"/>, or null when the plan has no family to masquerade.</summary>
    public static NftablesMasqueradeChain? For(MasqueradePlan plan)
    {
        if (plan.Families.Count == 0)
        {
            return null;
        }

        var rules = new List<string>();
        foreach (FamilyMasquerade family in plan.Families)
        {
            string selector = family.Family == AddressFamily.InterNetworkV6 ? "ip6" : "ip";
            foreach (string destination in family.ExemptDestinations.Select(Format).Distinct(StringComparer.Ordinal))
            {
                rules.Add($"{selector} daddr {destination} return");
            }
        }

        foreach (FamilyMasquerade family in plan.Families)
        {
            string selector = family.Family == AddressFamily.InterNetworkV6 ? "ip6" : "ip";
            foreach (string source in family.Sources.Select(Format).Distinct(StringComparer.Ordinal))
            {
                // The owner tag as a rule comment (older kernels have no chain comments): the chain names its network.
                rules.Add($"{selector} saddr {source} counter masquerade comment {Quote(plan.OwnerTag)}");
            }
        }

        return new NftablesMasqueradeChain(plan.Network, ChainNameOf(plan.Network), rules);
    }

    /// <summary>
    /// One transaction that replaces the chain whole (or creates it): the table and chain are declared first, so
    /// deleting the chain works whether or not it existed, and nobody ever sees it half written. Nothing else in the
    /// table, and nothing outside it, is touched.
    /// </summary>
    public string ReplaceScript()
    {
        var script = new StringBuilder();
        AppendDeleteChain(script, Chain);
        script.Append("add chain inet ").Append(NftablesMasqueradeBackend.Table).Append(' ').Append(Chain)
            .Append(" { ").Append(Hook).Append(" }\n");
        foreach (string rule in Rules)
        {
            script.Append("add rule inet ").Append(NftablesMasqueradeBackend.Table).Append(' ').Append(Chain).Append(' ').Append(rule).Append('\n');
        }

        return script.ToString();
    }

    /// <summary>One transaction that removes <paramref name="chain"/> if it exists (and leaves the table).</summary>
    public static string DeleteScript(string chain) => AppendDeleteChain(new StringBuilder(), chain).ToString();

    /// <summary>What differs between the live <paramref name="current"/> chain (null: absent) and this one.</summary>
    public IEnumerable<string> Problems(NftablesChainListing? current)
    {
        string where = $"nftables table inet {NftablesMasqueradeBackend.Table}";
        if (current is null)
        {
            yield return $"{where}: chain {Chain} of network {Network} is missing";
            yield break;
        }

        if (current.Hook != Hook)
        {
            yield return $"{where}: chain {Chain} is hooked '{current.Hook}', not '{Hook}'";
        }

        foreach (string missing in Rules.Except(current.Rules, StringComparer.Ordinal))
        {
            yield return $"{where}: rule '{missing}' is missing from chain {Chain}";
        }

        foreach (string unexpected in current.Rules.Except(Rules, StringComparer.Ordinal))
        {
            yield return $"{where}: unexpected rule '{unexpected}' in chain {Chain}";
        }

        if (current.Rules.Count == Rules.Count
            && !current.Rules.Except(Rules, StringComparer.Ordinal).Any()
            && !current.Rules.SequenceEqual(Rules, StringComparer.Ordinal))
        {
            yield return $"{where}: rules of chain {Chain} are out of order";
        }
    }

    /// <summary>nft prints a host prefix (/128, /32) as the bare address.</summary>
    internal static string Format(IPNetwork network) =>
        network.PrefixLength == (network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32)
            ? network.BaseAddress.ToString()
            : network.ToString();

    private static StringBuilder AppendDeleteChain(StringBuilder script, string chain)
    {
        string table = NftablesMasqueradeBackend.Table;
        return script.Append("add table inet ").Append(table).Append('\n')
            .Append("add chain inet ").Append(table).Append(' ').Append(chain).Append('\n')
            .Append("delete chain inet ").Append(table).Append(' ').Append(chain).Append('\n');
    }

    // Owner tags come from valid network names (letters, digits, '_', '.', '-', spaces): nothing to escape.
    private static string Quote(string text) => '"' + text + '"';
}
