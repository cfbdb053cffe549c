using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Health;

internal sealed partial class HealthServer
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Health and metrics on http://{Host}:{Port}/ (healthz, readyz, metrics)")]
    private partial void LogListening(string host, int port);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "Health request failed")]
    private partial void LogRequestFailed(Exception exception);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Health and metrics port {Host}:{Port} not available ({Reason}); the agent works on and retries every {MaxSeconds} s at most")]
    private partial void LogBindFailed(string host, int port, string reason, double maxSeconds);

    [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "Health and metrics port {Host}:{Port} still not available ({Reason})")]
    private partial void LogBindRetryFailed(string host, int port, string reason);
}
