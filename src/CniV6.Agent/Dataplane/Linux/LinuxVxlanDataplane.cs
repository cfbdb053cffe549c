using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Dataplane.Routing.Vxlan;
using CniV6.Core.Nat;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane.Linux;

/// <summary>
/// <see cref="IVxlanDataplane"/> over rtnetlink (devices, FDB, neighbours, routes), the SIOCETHTOOL ioctl (checksum
/// offload) and libnftables in-process (the firewall table, <see cref="Nftables"/>).
/// Acts on the agent's own network namespace.
/// </summary>
internal sealed class LinuxVxlanDataplane : IVxlanDataplane
{
    private static readonly AddressFamily[] Families = [AddressFamily.InterNetworkV6, AddressFamily.InterNetwork];

    public LinkInfo? GetLink(string name)
    {
        using var netlink = RtNetlink.Open();
        return netlink.GetLink(name);
    }

    public int CreateVxlan(string name, VxlanSettings settings, int mtu, byte[] mac)
    {
        using var netlink = RtNetlink.Open();
        netlink.CreateVxlan(name, settings, mtu, mac);
        return netlink.GetLink(name)?.Index ?? throw new InvalidOperationException($"{name} vanished right after it was created");
    }

    public bool DeleteLink(string name)
    {
        using var netlink = RtNetlink.Open();
        return netlink.DeleteLinkIfExists(name);
    }

    public void SetMtu(int index, int mtu)
    {
        using var netlink = RtNetlink.Open();
        netlink.SetLinkMtu(index, mtu);
    }

    public void SetUp(int index)
    {
        using var netlink = RtNetlink.Open();
        netlink.SetLinkUp(index);
    }

    public void DisableTxChecksumOffload(string name)
    {
        if (Ethtool.GetTxChecksumOffload(name))
        {
            Ethtool.SetTxChecksumOffload(name, false);
        }
    }

    public IReadOnlyList<FdbEntry> ListFdb(int index)
    {
        using var netlink = RtNetlink.Open();
        return netlink.ListFdbEntries(index);
    }

    public void SetFdb(int index, byte[] mac, IPAddress destination)
    {
        using var netlink = RtNetlink.Open();
        netlink.AddFdbEntry(index, mac, destination);
    }

    public void DeleteFdb(int index, byte[] mac, IPAddress destination)
    {
        using var netlink = RtNetlink.Open();
        netlink.DeleteFdbEntry(index, mac, destination);
    }

    public IReadOnlyList<NeighborInfo> ListNeighbors(int index)
    {
        using var netlink = RtNetlink.Open();
        return netlink.ListNeighbors(AddressFamily.Unspecified, index);
    }

    public void SetNeighbor(int index, IPAddress address, byte[] mac)
    {
        using var netlink = RtNetlink.Open();
        netlink.AddNeighbor(index, address, mac, permanent: true);
    }

    public void DeleteNeighbor(int index, IPAddress address)
    {
        using var netlink = RtNetlink.Open();
        netlink.DeleteNeighbor(index, address);
    }

    public IReadOnlyList<RouteInfo> ListOwnedRoutes()
    {
        using var netlink = RtNetlink.Open();
        return [.. Families.SelectMany(f => netlink.ListRoutes(f))
                           .Where(r => r.Protocol == RouteProtocol.CniV6 && r.Gateway is not null && r.Table == RouteTable.Main)];
    }

    public void ReplaceRoute(RouteInfo route)
    {
        using var netlink = RtNetlink.Open();
        netlink.ReplaceRoute(route);
    }

    public void DeleteRoute(RouteInfo route)
    {
        using var netlink = RtNetlink.Open();
        netlink.DeleteRoute(route);
    }

    /// <summary>
    /// Applies the script in-process through libnftables (one transaction, as <c>nft -f</c>), never a forked <c>nft</c>.
    /// A fresh context per call binds to the namespace of the calling thread.
    /// </summary>
    public void ApplyFirewall(string script)
    {
        if (!Nftables.IsAvailable)
        {
            // No libnftables, so no table of ours can exist: removing it is done. Adding it is not optional.
            if (script == VxlanFirewall.RenderRemoval())
            {
                return;
            }

            throw new InvalidOperationException("libnftables (libnftables.so.1) is not installed: the VXLAN port's firewall (nftables) is needed to tunnel");
        }

        using var nft = Nftables.Open();
        var result = nft.Run(script);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"applying the VXLAN firewall (table inet {VxlanFirewall.Table}) failed: {result.Error.Trim()}");
        }
    }
}
