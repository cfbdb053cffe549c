using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

internal sealed partial class IpamReclaimController
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Warning,
        Message = "Reclaimed {Addresses} of {ContainerId}/{IfName} ({Pod}) in network {Network}: its namespace {NetNs} and host veth {HostVeth} are gone (allocated {AgeSeconds:F0} s ago, never DELeted)")]
    private partial void LogReclaimed(string network, string containerId, string ifName, string pod, string addresses, string netNs, string hostVeth, double ageSeconds);

    [LoggerMessage(EventId = 801, Level = LogLevel.Warning, Message = "Could not reclaim leaked addresses of network {Network}: {Reason}; trying again next resync")]
    private partial void LogReclaimFailed(string network, string reason);

    [LoggerMessage(EventId = 802, Level = LogLevel.Debug, Message = "IPAM store of network {Network} busy for {Seconds} s; reclaiming next resync")]
    private partial void LogStoreBusy(string network, double seconds);

    [LoggerMessage(EventId = 803, Level = LogLevel.Information,
        Message = "Freed {Address} in network {Network}: claimed by a plugin that was killed before recording or after releasing it (no record holds it)")]
    private partial void LogResidueRemoved(string network, System.Net.IPAddress address);
}
