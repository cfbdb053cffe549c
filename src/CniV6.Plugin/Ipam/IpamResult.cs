using System.Net;
using CniV6.Core.Ipam;
using CniV6.Plugin.Cni;

namespace CniV6.Plugin.Ipam;

/// <summary>
/// What address management handed a pod, whether the built-in store or a delegated IPAM plugin did it:
/// the pod's addresses, the pools they came from (what MASQUERADE covers) and any DNS settings.
/// </summary>
internal sealed record IpamResult(IReadOnlyList<IPAddress> Addresses, IReadOnlyList<IPNetwork> Pools, CniDns? Dns)
{
    public static IpamResult From(Allocation allocation, IReadOnlyList<IPNetwork> pools) =>
        new(allocation.Addresses, pools, Dns: null);

    /// <summary>A delegated plugin (host-local, …) names each address with its subnet; the subnet is the pool.</summary>
    public static IpamResult From(CniResult delegated) =>
        new(delegated.Ips.Select(ip => ip.Address).ToList(), delegated.Ips.Select(ip => ip.Network).Distinct().ToList(), delegated.Dns);
}
