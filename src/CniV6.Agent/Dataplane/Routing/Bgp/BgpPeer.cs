using System.Net;

namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>
/// A BGP peer that is not a cluster node (<c>Bgp:Peers:N:*</c>): a top-of-rack router, a home router, a route
/// reflector. One session per peer, carrying the family of its address.
/// </summary>
/// <param name="Address">The peer's address; its family is the family of the routes exchanged with it.</param>
/// <param name="As">The peer's AS number: this node's own makes it iBGP (a route reflector), any other eBGP.</param>
/// <param name="Password">TCP MD5 password (RFC 2385), or null.</param>
/// <param name="Multihop">The peer is this many hops away (null: directly connected, on a segment this node is on).</param>
/// <param name="Nodes">The nodes that peer with it (e.g. the nodes of one rack); empty: every node.</param>
internal sealed record BgpPeer(IPAddress Address, uint As, string? Password = null, int? Multihop = null, IReadOnlyList<string>? Nodes = null)
{
    public bool AppliesTo(string nodeName) => Nodes is not { Count: > 0 } nodes || nodes.Contains(nodeName, StringComparer.Ordinal);

    public bool Equals(BgpPeer? other) =>
        other is not null
        && Address.Equals(other.Address)
        && As == other.As
        && Password == other.Password
        && Multihop == other.Multihop
        && (Nodes ?? []).SequenceEqual(other.Nodes ?? [], StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Address, As, Multihop);
}
