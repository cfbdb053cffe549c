using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Kubernetes;

internal sealed partial class KubernetesEventRecorder
{
    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "Could not post the {Reason} event for node {Node}")]
    private partial void LogPostFailed(Exception exception, string reason, string node);
}
