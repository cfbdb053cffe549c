using System.Net;

namespace CniV6.Plugin.Wiring;

/// <summary>
/// What ADD reports about the pod's new interface: its MAC, the MTU both veth ends got, and the destinations routed
/// through it (the default routes, or only its pools for a secondary attachment).
/// </summary>
internal sealed record PodLink(byte[] Mac, int Mtu, IReadOnlyList<IPNetwork> Routes);
