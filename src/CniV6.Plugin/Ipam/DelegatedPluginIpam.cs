using System.Net;
using CniV6.Core.Config;
using CniV6.Core.Ipam;
using CniV6.Plugin.Cni;

namespace CniV6.Plugin.Ipam;

/// <summary>
/// <see cref="IIpam"/> through another CNI IPAM plugin named by <c>ipam.type</c> (host-local, dhcp, …), run by
/// <see cref="DelegatedIpam"/> with the same command and configuration we were given. Its pools, state and
/// garbage are its own business: we pass the commands on and report its errors as it reported them.
/// </summary>
internal sealed class DelegatedPluginIpam : IIpam
{
    public IReadOnlyList<IPNetwork> ConfiguredPools => [];

    public IpamResult Reserve(CniRequest request)
    {
        var delegated = DelegatedIpam.Invoke(request, CniCommand.Add)
            ?? throw new CniException(CniErrorCode.IoFailure, $"IPAM plugin {request.Config.Ipam.Type} returned no result", "");
        return IpamResult.From(delegated);
    }

    public void Release(CniRequest request) => DelegatedIpam.Invoke(request, CniCommand.Del);

    /// <summary>The delegate checks its own reservation against the prevResult it is given; it throws what it finds.</summary>
    public IReadOnlyList<string> Check(CniRequest request, IReadOnlySet<IPAddress> expected)
    {
        DelegatedIpam.Invoke(request, CniCommand.Check);
        return [];
    }

    public void Status(CniRequest request) => DelegatedIpam.Invoke(request, CniCommand.Status);

    public IReadOnlyList<Allocation> CollectGarbage(CniRequest request, Func<IReadOnlySet<(string ContainerId, string IfName)>> sweepLinks)
    {
        // The runtime never runs GC concurrently with ADD or DEL of the network, so no lock is needed for the sweep.
        _ = sweepLinks();
        DelegatedIpam.Invoke(request, CniCommand.Gc);
        return [];
    }
}
