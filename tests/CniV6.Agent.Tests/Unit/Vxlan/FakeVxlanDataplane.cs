using System.Net;
using CniV6.Agent.Dataplane.Routing.Vxlan;
using CniV6.Netlink;

namespace CniV6.Agent.Tests.Unit.Vxlan;

/// <summary>
/// An in-memory kernel for the overlay: links by name, FDB and neighbour entries per link, the owned routes, and a
/// journal of every change in order. Deleting a link drops its entries and the routes through it, as the kernel does.
/// </summary>
internal sealed class FakeVxlanDataplane : IVxlanDataplane
{
    private int _nextIndex = 10;

    public Dictionary<string, LinkInfo> Links { get; } = new(StringComparer.Ordinal);

    public List<FdbEntry> Fdb { get; } = [];

    public List<NeighborInfo> Neighbors { get; } = [];

    public List<RouteInfo> Routes { get; } = [];

    public HashSet<string> TxChecksumOff { get; } = [];

    public string? Firewall { get; private set; }

    /// <summary>Every change, in order ("create cniv6.vx6", "fdb 0e… fd00::1", "route fd00::/64", …).</summary>
    public List<string> Journal { get; } = [];

    public LinkInfo? GetLink(string name) => Links.GetValueOrDefault(name);

    public int CreateVxlan(string name, VxlanSettings settings, int mtu, byte[] mac)
    {
        if (Links.ContainsKey(name))
        {
            throw new InvalidOperationException($"{name} exists");
        }

        var index = _nextIndex++;
        Links[name] = new LinkInfo(index, name, "vxlan", mac, mtu, false, 0, null, null,
            settings with { Learning = settings.Learning ?? true, UdpChecksum = true, ZeroChecksum6Tx = false, ZeroChecksum6Rx = false });
        Journal.Add($"create {name}");
        return index;
    }

    public bool DeleteLink(string name)
    {
        if (!Links.Remove(name, out var link))
        {
            return false;
        }

        Fdb.RemoveAll(e => e.LinkIndex == link.Index);
        Neighbors.RemoveAll(n => n.LinkIndex == link.Index);
        Routes.RemoveAll(r => r.OutputIndex == link.Index);
        TxChecksumOff.Remove(name);
        Journal.Add($"delete {name}");
        return true;
    }

    public void SetMtu(int index, int mtu)
    {
        var link = Links.Values.Single(l => l.Index == index);
        Links[link.Name] = link with { Mtu = mtu };
        Journal.Add($"mtu {link.Name} {mtu}");
    }

    public void SetUp(int index)
    {
        var link = Links.Values.Single(l => l.Index == index);
        Links[link.Name] = link with { IsUp = true };
        Journal.Add($"up {link.Name}");
    }

    public void DisableTxChecksumOffload(string name)
    {
        if (TxChecksumOff.Add(name))
        {
            Journal.Add($"tx-csum-off {name}");
        }
    }

    public IReadOnlyList<FdbEntry> ListFdb(int index) => [.. Fdb.Where(e => e.LinkIndex == index)];

    public void SetFdb(int index, byte[] mac, IPAddress destination)
    {
        Fdb.RemoveAll(e => e.LinkIndex == index && e.Mac.AsSpan().SequenceEqual(mac));
        Fdb.Add(new FdbEntry(index, mac, destination, NeighborState.Permanent, true));
        Journal.Add($"fdb {Convert.ToHexStringLower(mac)} {destination}");
    }

    public void DeleteFdb(int index, byte[] mac, IPAddress destination)
    {
        Fdb.RemoveAll(e => e.LinkIndex == index && e.Mac.AsSpan().SequenceEqual(mac) && destination.Equals(e.Destination));
        Journal.Add($"-fdb {Convert.ToHexStringLower(mac)} {destination}");
    }

    public IReadOnlyList<NeighborInfo> ListNeighbors(int index) => [.. Neighbors.Where(n => n.LinkIndex == index)];

    public void SetNeighbor(int index, IPAddress address, byte[] mac)
    {
        Neighbors.RemoveAll(n => n.LinkIndex == index && n.Address.Equals(address));
        Neighbors.Add(new NeighborInfo(index, address, mac, NeighborState.Permanent));
        Journal.Add($"neigh {address}");
    }

    public void DeleteNeighbor(int index, IPAddress address)
    {
        Neighbors.RemoveAll(n => n.LinkIndex == index && n.Address.Equals(address));
        Journal.Add($"-neigh {address}");
    }

    public IReadOnlyList<RouteInfo> ListOwnedRoutes() => [.. Routes];

    public void ReplaceRoute(RouteInfo route)
    {
        // The kernel's ip6_route_check_nh_onlink: an IPv6 onlink gateway that a (non-default) route in the table
        // sends out of another device is refused, even when that route is the one being replaced.
        if (route.OnLink && route.Gateway is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } gateway
            && Routes.Any(r => r.Destination.PrefixLength > 0 && r.Destination.Contains(gateway) && r.OutputIndex != route.OutputIndex))
        {
            throw new InvalidOperationException($"RTM_NEWROUTE {route.Destination}: Nexthop has invalid gateway or device mismatch");
        }

        var priority = route.Priority ?? (route.Destination.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 1024u : 0u);
        Routes.RemoveAll(r => r.Destination == route.Destination && r.Priority == priority);
        Routes.Add(route with { Priority = priority });
        Journal.Add($"route {route.Destination}");
    }

    public void DeleteRoute(RouteInfo route)
    {
        Routes.RemoveAll(r => r.Destination == route.Destination && Equals(r.Gateway, route.Gateway) && r.OutputIndex == route.OutputIndex);
        Journal.Add($"-route {route.Destination}");
    }

    public void ApplyFirewall(string script)
    {
        Firewall = script.Contains('{', StringComparison.Ordinal) ? script : null;
        Journal.Add("firewall");
    }
}
