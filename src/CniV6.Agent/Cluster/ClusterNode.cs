using System.Net;

namespace CniV6.Agent.Cluster;

/// <summary>A node as far as pod networking cares: where it is reachable and which pod CIDRs live behind it.</summary>
internal sealed record ClusterNode(string Name, IReadOnlyList<IPAddress> InternalAddresses, IReadOnlyList<IPNetwork> PodCidrs)
{
    public bool Equals(ClusterNode? other) =>
        other is not null
        && Name == other.Name
        && InternalAddresses.SequenceEqual(other.InternalAddresses)
        && PodCidrs.SequenceEqual(other.PodCidrs);

    public override int GetHashCode() => HashCode.Combine(Name, InternalAddresses.Count, PodCidrs.Count);

    /// <summary>The first internal address of the given family; host-gw routes go via the peer's address of the pod CIDR's family.</summary>
    public IPAddress? AddressOf(System.Net.Sockets.AddressFamily family) =>
        InternalAddresses.FirstOrDefault(a => a.AddressFamily == family);
}
