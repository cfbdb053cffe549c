using System.Net;

namespace CniV6.Core.Pod;

/// <summary>
/// The node already routes an address ADD was about to give its pod to another interface: another live attachment
/// (when the interface's alias names it) or something of the operator's. ADD never takes such an address over.
/// </summary>
public sealed class AddressInUseException(IPAddress address, string? link, string? alias)
    : Exception(Describe(address, link, alias))
{
    public IPAddress Address { get; } = address;

    /// <summary>The interface the address is routed to now, when it could be named.</summary>
    public string? Link { get; } = link;

    private static string Describe(IPAddress address, string? link, string? alias)
    {
        string where = link is null ? "another route" : $"interface {link}";
        string owner = LinkAlias.TryParse(alias, out string network, out string containerId, out string ifName)
            ? $" (network {network}, container {containerId}, interface {ifName})"
            : "";
        return $"address {address} is already routed to {where}{owner} on this node; refusing to take it over " +
            "(do two networks share a pool, or was a network renamed or its dataDir changed?)";
    }
}
