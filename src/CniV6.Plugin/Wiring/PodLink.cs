namespace CniV6.Plugin.Wiring;

/// <summary>What ADD reports about the pod's new interface: its MAC and the MTU both veth ends got.</summary>
internal sealed record PodLink(byte[] Mac, int Mtu);
