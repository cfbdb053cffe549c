using Microsoft.Extensions.Logging;

namespace CniV6.Plugin;

/// <summary>The plugin's log events; ids 100-199 are the command recipes'.</summary>
internal sealed partial class PodNetworkPlugin
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "ADD {ContainerId}/{IfName}: host veth {HostVeth}, addresses {Addresses}")]
    private partial void LogAdded(string containerId, string ifName, string hostVeth, IEnumerable<System.Net.IPAddress> addresses);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "ADD removed a stale host veth {HostVeth} left by an earlier attempt")]
    private partial void LogStaleVethRemoved(string hostVeth);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "ADD {ContainerId}/{IfName} failed; undoing what was done")]
    private partial void LogAddFailed(Exception failure, string containerId, string ifName);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "could not undo {What} after a failed ADD")]
    private partial void LogCompensationFailed(Exception failure, string what);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "DEL {ContainerId}/{IfName}: host veth {HostVeth} and addresses released")]
    private partial void LogDeleted(string containerId, string ifName, string hostVeth);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "DEL could not look into the pod namespace {NetNs}; deleting the veth pair instead of leaving it to the namespace")]
    private partial void LogNamespaceUnreadable(Exception exception, string? netNs);

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "GC removed leaked host veth {HostVeth} of {ContainerId}/{IfName}")]
    private partial void LogGcVeth(string hostVeth, string containerId, string ifName);

    [LoggerMessage(EventId = 121, Level = LogLevel.Information, Message = "GC released {ContainerId}/{IfName}: {Addresses}")]
    private partial void LogGcAllocation(string containerId, string ifName, IEnumerable<System.Net.IPAddress> addresses);
}
