using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Kubernetes;

internal sealed partial class NodeNetworkCondition
{
    [LoggerMessage(EventId = 703, Level = LogLevel.Information, Message = "Node {Node}: condition NetworkUnavailable=False ({Reason}) set")]
    private partial void LogConditionSet(string node, string reason);

    [LoggerMessage(EventId = 704, Level = LogLevel.Warning, Message = "Node {Node}: could not set NetworkUnavailable=False; retrying in {Seconds:0.#} s")]
    private partial void LogPatchFailed(Exception exception, string node, double seconds);
}
