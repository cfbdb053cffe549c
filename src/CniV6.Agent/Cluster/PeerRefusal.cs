namespace CniV6.Agent.Cluster;

/// <summary>Something a peer node claims that this node will not act on: an address or pod CIDR, and why.</summary>
/// <param name="Node">The peer's name as the cluster gives it.</param>
/// <param name="Subject">The refused value (<c>pod CIDR ::/0</c>, <c>address fd00::1</c>, <c>node</c>).</param>
/// <param name="Reason">Why, in words an operator can act on.</param>
internal sealed record PeerRefusal(string Node, string Subject, string Reason)
{
    public override string ToString() => $"node {Node} {Subject}: {Reason}";
}
