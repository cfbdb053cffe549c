using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Kubernetes;

internal sealed partial class NodeNetworkCondition
{
    [LoggerMessage(EventId = 703, Level = LogLevel.Information, Message = "Node {Node}: condition NetworkUnavailable=False ({Reason}) set")]
    private partial void LogConditionSet(string node, string reason);

    [LoggerMessage(EventId = 704, Level = LogLevel.Warning,
        Message = "Node {Node}: could not set NetworkUnavailable=False: {Error}; retrying with back-off (first retry in {Seconds:0.#} s), repeats of this failure are not logged")]
    private partial void LogPatchFailed(string node, string error, double seconds);

    [LoggerMessage(EventId = 705, Level = LogLevel.Warning, Message = "Node {Node}: still cannot set NetworkUnavailable=False ({Failures} times): {Error}")]
    private partial void LogPatchStillFailing(string node, int failures, string error);
}
