using System.Net;
using System.Net.Sockets;
using CniV6.Core.Ipam;

namespace CniV6.Core.Nat;

/// <summary>
/// What outbound masquerading one CNI network wants, independent of how a backend installs it: per address
/// family that has a pool, the pod sources to masquerade and the destinations that keep the pod's address (the
/// pools themselves, the operator's exclusions, and traffic that never leaves the link). The network name owns
/// the installed state: a backend tags what it writes with <see cref="OwnerTag"/> so it can be found, checked and
/// removed without touching anyone else's rules.
/// </summary>
public sealed class MasqueradePlan
{
    // Never masquerade traffic that cannot leave the link (link-local) or is multicast.
    private static readonly IPNetwork[] NeverMasqueradedV6 = [IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8")];
    private static readonly IPNetwork[] NeverMasqueradedV4 = [IPNetwork.Parse("224.0.0.0/4")];

    private static readonly AddressFamily[] FamilyOrder = [AddressFamily.InterNetworkV6, AddressFamily.InterNetwork];

    private MasqueradePlan(string network, IReadOnlyList<FamilyMasquerade> families)
    {
        Network = network;
        Families = families;
    }

    /// <summary>The CNI network (conflist <c>name</c>) the rules belong to.</summary>
    public string Network { get; }

    /// <summary>The tag a backend attaches to what it installs (an iptables rule comment, an nftables comment).</summary>
    public string OwnerTag => OwnerTagOf(Network);

    /// <summary>IPv6 first, then IPv4; only families with at least one pool. Empty: nothing to install.</summary>
    public IReadOnlyList<FamilyMasquerade> Families { get; }

    /// <exception cref="ArgumentException"><paramref name="network"/> is not a valid CNI network name.</exception>
    public static MasqueradePlan For(string network, IReadOnlyList<IPNetwork> pools, IReadOnlyList<IPNetwork> excludes)
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(excludes);
        var families = new List<FamilyMasquerade>();
        foreach (AddressFamily family in FamilyOrder)
        {
            IPNetwork[] sources = [.. pools.Where(p => p.BaseAddress.AddressFamily == family)];
            if (sources.Length == 0)
            {
                continue;
            }

            IPNetwork[] exempt = [.. sources
                .Concat(excludes.Where(e => e.BaseAddress.AddressFamily == family))
                .Concat(family == AddressFamily.InterNetworkV6 ? NeverMasqueradedV6 : NeverMasqueradedV4)
                .Distinct()];
            families.Add(new FamilyMasquerade(family, sources, exempt));
        }

        return new MasqueradePlan(ValidNetwork(network), families);
    }

    /// <summary>The owner tag of <paramref name="network"/>: <c>cniv6 masquerade &lt;network&gt;</c>.</summary>
    public static string OwnerTagOf(string network) => "cniv6 masquerade " + ValidNetwork(network);

    /// <summary>Network names end up in rule comments and chain names: only what CNI allows for a name gets there.</summary>
    internal static string ValidNetwork(string network) =>
        AttachmentIds.IsValidNetworkName(network)
            ? network
            : throw new ArgumentException($"invalid network name '{network}'", nameof(network));
}
