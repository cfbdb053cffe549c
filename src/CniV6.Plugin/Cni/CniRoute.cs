using System.Net;

namespace CniV6.Plugin.Cni;

/// <summary>An entry of a result's <c>"routes"</c>. All fields but <see cref="Destination"/> and <see cref="Gateway"/> are 1.1.0 additions.</summary>
/// <param name="Scope">0 global, 253 link, 254 host.</param>
internal sealed record CniRoute(
    IPNetwork Destination,
    IPAddress? Gateway = null,
    int? Mtu = null,
    int? AdvMss = null,
    int? Priority = null,
    int? Table = null,
    int? Scope = null);
