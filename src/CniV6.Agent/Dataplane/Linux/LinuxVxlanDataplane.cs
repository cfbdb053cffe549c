using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Dataplane.Routing.Vxlan;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane.Linux;

/// <summary>
/// <see cref="IVxlanDataplane"/> over rtnetlink (devices, FDB, neighbours, routes), the SIOCETHTOOL ioctl (checksum
/// offload) and the <c>nft</c> command (the firewall table; nftables in-process comes with the nftables backend).
/// Acts on the agent's own network namespace.
/// </summary>
internal sealed class LinuxVxlanDataplane : IVxlanDataplane
{
    private static readonly TimeSpan NftTimeout = TimeSpan.FromSeconds(10);
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

    public void ApplyFirewall(string script)
    {
        var start = new ProcessStartInfo("nft")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("-");
        Process? started;
        try
        {
            started = Process.Start(start);
        }
        catch (Win32Exception e) when (e.NativeErrorCode == Errno.ENOENT)
        {
            // No nft, so no table of ours can exist: removing it is done. Adding it is not optional.
            if (script == VxlanFirewall.RenderRemoval())
            {
                return;
            }

            throw new InvalidOperationException("nft is not installed: the VXLAN port's firewall (nftables) is needed to tunnel", e);
        }

        using var process = started ?? throw new InvalidOperationException("could not start nft");
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(NftTimeout))
        {
            process.Kill();
            throw new InvalidOperationException($"nft did not finish within {NftTimeout.TotalSeconds} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"nft -f failed with {process.ExitCode}: {stderr.GetAwaiter().GetResult().Trim()}");
        }
    }
}
