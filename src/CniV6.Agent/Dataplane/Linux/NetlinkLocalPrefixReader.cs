using System.Net.Sockets;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane.Linux;

/// <summary>This node's global-scope addresses and their links' MTUs and names over rtnetlink, in the agent's network namespace.</summary>
internal sealed class NetlinkLocalPrefixReader : ILocalPrefixReader
{
    private static readonly AddressFamily[] Families = [AddressFamily.InterNetworkV6, AddressFamily.InterNetwork];

    public IReadOnlyList<LocalPrefix> ListLocalPrefixes()
    {
        using var netlink = RtNetlink.Open();
        var links = netlink.ListLinks().ToDictionary(l => l.Index);
        var prefixes = new List<LocalPrefix>();
        foreach (var family in Families)
        {
            foreach (var address in netlink.ListAddresses(family))
            {
                if (address.Scope == RouteScope.Universe && links.TryGetValue(address.Index, out var link))
                {
                    prefixes.Add(LocalPrefix.Of(address.Index, address.Address, address.PrefixLength, link.Mtu, link.Name));
                }
            }
        }

        return prefixes;
    }
}
