using System.Net;
using CniV6.Core.Ipam;
using CniV6.Plugin.Cni;

namespace CniV6.Plugin.Ipam;

/// <summary>
/// Address management for the pods of one network, as the command recipes use it. Two implementations, chosen
/// once at start-up from <c>ipam.type</c>: <see cref="BuiltInIpam"/> (our crash-safe store on disk) and
/// <see cref="DelegatedPluginIpam"/> (another CNI IPAM plugin, e.g. host-local). Failures are
/// <see cref="CniException"/>s with the code the runtime should see.
/// </summary>
internal interface IIpam
{
    /// <summary>
    /// The pools known from the configuration before anything is reserved (what ADD checks the node against and
    /// CHECK verifies masquerading for); empty when a delegated plugin keeps its pools to itself.
    /// </summary>
    IReadOnlyList<IPNetwork> ConfiguredPools { get; }

    /// <summary>Reserves the attachment's addresses; a retried ADD gets the same ones back.</summary>
    IpamResult Reserve(CniRequest request);

    /// <summary>Releases the attachment's addresses; succeeds when there is nothing to release.</summary>
    void Release(CniRequest request);

    /// <summary>What is wrong with the attachment's reservation given the <paramref name="expected"/> addresses (empty when all is in place).</summary>
    IReadOnlyList<string> Check(CniRequest request, IReadOnlySet<IPAddress> expected);

    /// <summary>Throws code 50 when no pod of the network could get an address now.</summary>
    void Status(CniRequest request);

    /// <summary>
    /// Calls <paramref name="sweepLinks"/> exactly once, at a point where no ADD or DEL of this network can reserve
    /// or release (under the store lock where there is one); it removes leaked links and returns the attachments to
    /// keep (the runtime's valid ones plus those in flight). Then releases every reservation whose attachment is not
    /// among them and returns those it knows of, so the sweep and the release agree on what is leaked.
    /// </summary>
    IReadOnlyList<Allocation> CollectGarbage(CniRequest request, Func<IReadOnlySet<(string ContainerId, string IfName)>> sweepLinks);
}
