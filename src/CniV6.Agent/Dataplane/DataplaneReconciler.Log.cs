using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane;

internal sealed partial class DataplaneReconciler
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Ready: dataplane synced ({Controllers})")]
    private partial void LogReady(string controllers);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Sync failed in {Controller}; retrying in {DelaySeconds:F1} s")]
    private partial void LogSyncFailed(Exception exception, string controller, double delaySeconds);

    [LoggerMessage(EventId = 208, Level = LogLevel.Information, Message = "Stopping; routes, NAT rules and the conflist stay in place")]
    private partial void LogStopping();

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "No successful sync within {Seconds} s of start; continuing to try")]
    private partial void LogStartedBeforeFirstSync(double seconds);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Stopped before the first sync")]
    private partial void LogStoppedBeforeFirstSync();
}
