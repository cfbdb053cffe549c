namespace CniV6.Plugin.Cni;

/// <summary>An entry of a result's <c>"interfaces"</c>; <see cref="Sandbox"/> is the netns path for pod-side interfaces, null on the host.</summary>
/// <param name="Mtu">Written from 1.1.0 on.</param>
/// <param name="SocketPath">Written from 1.1.0 on.</param>
/// <param name="PciId">Written from 1.1.0 on (<c>"pciID"</c>).</param>
internal sealed record CniInterface(
    string Name,
    string? Mac = null,
    string? Sandbox = null,
    int? Mtu = null,
    string? SocketPath = null,
    string? PciId = null);
