using System.Net;

namespace CniV6.Core.Ipam;

/// <summary>The addresses one attachment (container + interface) holds: one per pool it was allocated from.</summary>
/// <param name="Pod">The Kubernetes pod CNI_ARGS named, when the runtime passed one (informational).</param>
public sealed record Allocation(
    string ContainerId,
    string IfName,
    IReadOnlyList<IPAddress> Addresses,
    string? NetNs,
    DateTimeOffset Created,
    PodReference? Pod = null);
