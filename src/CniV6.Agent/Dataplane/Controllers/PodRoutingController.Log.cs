using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

internal sealed partial class PodRoutingController
{
    [LoggerMessage(EventId = 220, Level = LogLevel.Information, Message = "Routing mode changed from {Previous} to {Current}; removing what {Previous} installed")]
    private partial void LogModeChanged(string previous, string current);

    [LoggerMessage(EventId = 221, Level = LogLevel.Warning, Message = "{Path} names routing mode {Previous}, which this agent does not know; its state is left in place")]
    private partial void LogUnknownPreviousMode(string previous, string path);
}
