namespace CniV6.Core.NodeState;

/// <summary>
/// What the overlay modes (<c>vxlan</c>, <c>auto</c>) of cniv6-agent installed on this node at its last sync: the
/// vxlan devices with their settings and, per tunnelled peer, the FDB entry that sends its tunnel MAC to its node
/// address. <c>cniv6 doctor</c> checks the kernel against it. No devices: every peer is reached directly.
/// </summary>
/// <param name="Mode">The routing mode that wrote it.</param>
public sealed record OverlayRecord(
    string Mode,
    uint Vni,
    ushort Port,
    IReadOnlyList<OverlayDeviceRecord> Devices,
    IReadOnlyList<OverlayPeerRecord> Peers);

/// <summary>One vxlan device: <c>cniv6.vx6</c> or <c>cniv6.vx4</c>, its local (outer source) address, MAC and MTU.</summary>
public sealed record OverlayDeviceRecord(string Name, string Local, string Mac, int Mtu);

/// <summary>A peer reached through <paramref name="Device"/>: its tunnel MAC goes to its node <paramref name="Address"/>.</summary>
public sealed record OverlayPeerRecord(string Node, string Device, string Address, string Mac);
