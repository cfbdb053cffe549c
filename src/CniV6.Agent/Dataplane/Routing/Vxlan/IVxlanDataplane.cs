using System.Net;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane.Routing.Vxlan;

/// <summary>
/// The kernel as the overlay modes see it: vxlan devices, their FDB and neighbour entries, the agent's node routes
/// (protocol 198 with a gateway, main table, either family; onlink kept) and the VXLAN firewall table.
/// Implemented over rtnetlink, ethtool and nft in <see cref="CniV6.Agent.Dataplane.Linux.LinuxVxlanDataplane"/>; faked in tests.
/// </summary>
internal interface IVxlanDataplane
{
    LinkInfo? GetLink(string name);

    /// <summary>Creates the device (down); its index.</summary>
    int CreateVxlan(string name, VxlanSettings settings, int mtu, byte[] mac);

    /// <summary>False when there was no such link.</summary>
    bool DeleteLink(string name);

    void SetMtu(int index, int mtu);

    void SetUp(int index);

    /// <summary>Turns off the device's transmit checksum offload (see <see cref="OverlayRouting"/> for why).</summary>
    void DisableTxChecksumOffload(string name);

    /// <summary>The device's own FDB entries with a destination.</summary>
    IReadOnlyList<FdbEntry> ListFdb(int index);

    /// <summary>Adds the static entry, or points the MAC's existing entry at <paramref name="destination"/>.</summary>
    void SetFdb(int index, byte[] mac, IPAddress destination);

    void DeleteFdb(int index, byte[] mac, IPAddress destination);

    /// <summary>The device's neighbour entries of both families (including the kernel's own multicast ones).</summary>
    IReadOnlyList<NeighborInfo> ListNeighbors(int index);

    /// <summary>A permanent entry, replacing whatever is there.</summary>
    void SetNeighbor(int index, IPAddress address, byte[] mac);

    void DeleteNeighbor(int index, IPAddress address);

    /// <summary>Main-table routes of both families with protocol 198 and a gateway: every node route the agent installed.</summary>
    IReadOnlyList<RouteInfo> ListOwnedRoutes();

    void ReplaceRoute(RouteInfo route);

    void DeleteRoute(RouteInfo route);

    /// <summary>Applies an nft script in one transaction.</summary>
    void ApplyFirewall(string script);
}
