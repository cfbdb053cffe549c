using System.Net;
using CniV6.Core.Pod;

namespace CniV6.Plugin.Wiring;

/// <summary>The pod's network namespace, held open for one command; what ADD and CHECK do inside it.</summary>
internal interface IPodNamespace : IDisposable
{
    /// <summary>
    /// Creates the veth pair with <paramref name="ifName"/> in the pod and <paramref name="hostVeth"/> on the node,
    /// labels the host end with <paramref name="alias"/> at once (so GC can attribute it even if a later step dies),
    /// then gives the pod end its addresses and routes (default routes, or routes to <paramref name="pools"/> when
    /// another interface of the pod already holds the default route). <paramref name="mtu"/> null means the node's uplink MTU.
    /// </summary>
    /// <exception cref="InterfaceExistsException"><paramref name="ifName"/> already exists in the pod.</exception>
    PodLink Connect(string ifName, string hostVeth, string alias, PodAddresses addresses, IReadOnlyList<IPNetwork> pools, int? mtu);

    /// <summary>
    /// True when <paramref name="ifName"/> is there and is the only interface of the pod that is up (loopback aside):
    /// cutting it off cannot hurt anything else the pod has.
    /// </summary>
    bool IsOnlyLiveInterface(string ifName);

    /// <summary>What is wrong with the pod's interface (empty when all is in place); changes nothing.</summary>
    IReadOnlyList<string> Verify(string ifName, PodAddresses addresses);
}
