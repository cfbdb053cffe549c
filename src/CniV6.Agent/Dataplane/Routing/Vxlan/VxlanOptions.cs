using System.Net.Sockets;

namespace CniV6.Agent.Dataplane.Routing.Vxlan;

/// <summary>The overlay's settings (<c>Vxlan:*</c> in the agent configuration); the same on every node of a cluster.</summary>
/// <param name="Vni">The VXLAN network identifier of both devices (Calico's default, 4096).</param>
/// <param name="Port">The UDP port encapsulated packets go to (IANA's 4789, not the kernel's legacy 8472).</param>
/// <param name="PreferredUnderlay">
/// The underlay family used for a peer when both nodes have a node address of it; the other family otherwise.
/// IPv6 by default (IPv6 first).
/// </param>
internal sealed record VxlanOptions(uint Vni = VxlanOptions.DefaultVni, ushort Port = VxlanOptions.DefaultPort,
                                    AddressFamily PreferredUnderlay = AddressFamily.InterNetworkV6)
{
    public const uint DefaultVni = 4096;
    public const ushort DefaultPort = 4789;
}
