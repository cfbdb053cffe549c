using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Cluster;

internal sealed partial class PeerScreen
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Refusing node {Node} {Subject}: {Reason}")]
    private partial void LogRefused(string node, string subject, string reason);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Node {Node} {Subject} is no longer claimed as refused")]
    private partial void LogNoLongerRefused(string node, string subject);
}
