using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Kubernetes;

internal sealed partial class KubernetesClusterSource
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Listed {Count} nodes at resourceVersion {ResourceVersion}")]
    private partial void LogListed(int count, string resourceVersion);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Node {Type} {Name}")]
    private partial void LogEvent(string type, string name);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "resourceVersion {ResourceVersion} is gone (410); listing again")]
    private partial void LogGone(string resourceVersion);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning,
        Message = "Node watch failed: {Error}; retrying with back-off (first retry in {DelaySeconds:F1} s), repeats of this failure are not logged")]
    private partial void LogWatchFailed(string error, double delaySeconds);

    [LoggerMessage(EventId = 109, Level = LogLevel.Warning, Message = "Node watch still failing ({Failures} times): {Error}")]
    private partial void LogWatchStillFailing(int failures, string error);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Node list succeeded again after {Failures} failed attempts")]
    private partial void LogWatchRecovered(int failures);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Node {NodeName} not found or has no spec.podCIDRs yet; waiting")]
    private partial void LogWaitingForPodCidrs(string nodeName);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Cluster changed: {Count} nodes, local pools {Pools}")]
    private partial void LogStateChanged(int count, IReadOnlyList<System.Net.IPNetwork> pools);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "Unusable data from the apiserver ({Reason}); listing again in {DelaySeconds:F1} s")]
    private partial void LogUnusableData(string reason, double delaySeconds);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "Refusing node {NodeName}'s own pod CIDRs {Cidrs} as pools: {Reason}; not ready until they are fixed")]
    private partial void LogPoolsRefused(string nodeName, string cidrs, string reason);

    [LoggerMessage(EventId = 107, Level = LogLevel.Information, Message = "Node {NodeName}'s pod CIDRs {Cidrs} are usable now")]
    private partial void LogPoolsAccepted(string nodeName, string cidrs);
}
