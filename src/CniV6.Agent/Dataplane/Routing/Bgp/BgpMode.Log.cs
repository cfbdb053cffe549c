using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Routing.Bgp;

internal sealed partial class BgpMode
{
    [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "BGP: {Reason}")]
    private partial void LogUnroutable(string reason);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "BGP mode removed: BIRD stopped and its kernel routes deleted")]
    private partial void LogRemoved();
}
