using System.Net.Sockets;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane.Linux;

/// <summary>This node's global-scope addresses and their links' MTUs over rtnetlink, in the agent's network namespace.</summary>
internal sealed class NetlinkLocalPrefixReader : ILocalPrefixReader
{
    private static readonly AddressFamily[] Families = [AddressFamily.InterNetworkV6, AddressFamily.InterNetwork];

    public IReadOnlyList<LocalPrefix> ListLocalPrefixes()
    {
        using var netlink = RtNetlink.Open();
        var mtus = netlink.ListLinks().ToDictionary(l => l.Index, l => l.Mtu);
        var prefixes = new List<LocalPrefix>();
        foreach (var family in Families)
        {
            foreach (var address in netlink.ListAddresses(family))
            {
                if (address.Scope == RouteScope.Universe && mtus.TryGetValue(address.Index, out var mtu))
                {
                    prefixes.Add(LocalPrefix.Of(address.Index, address.Address, address.PrefixLength, mtu));
                }
            }
        }

        return prefixes;
    }
}
