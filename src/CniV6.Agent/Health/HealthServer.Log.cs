using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Health;

internal sealed partial class HealthServer
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Health and metrics on http://{Host}:{Port}/ (healthz, readyz, metrics)")]
    private partial void LogListening(string host, int port);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "Health request failed")]
    private partial void LogRequestFailed(Exception exception);
}
