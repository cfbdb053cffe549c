using System.Net;

namespace CniV6.Agent.Dataplane;

/// <summary>A host-gw route: a peer's pod CIDR via the peer's address, out of the interface on their shared segment.</summary>
internal sealed record NodeRoute(IPNetwork Destination, IPAddress Gateway, int OutputIndex)
{
    /// <summary>Only the index is known here; logs name the device (<see cref="LocalPrefix.DeviceText"/>).</summary>
    public override string ToString() => $"{Destination} via {Gateway} dev {LocalPrefix.DeviceText(OutputIndex, null)}";
}
