using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane;

internal sealed partial class DataplaneReconciler
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Ready: dataplane synced ({Controllers})")]
    private partial void LogReady(string controllers);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning,
        Message = "Sync failed in {Controller}: {Error}; retrying with back-off (first retry in {DelaySeconds:F1} s), repeats of this failure are not logged")]
    private partial void LogSyncFailed(string controller, string error, double delaySeconds);

    [LoggerMessage(EventId = 214, Level = LogLevel.Warning, Message = "Sync still failing in {Controller} ({Failures} times): {Error}")]
    private partial void LogSyncStillFailing(string controller, int failures, string error);

    [LoggerMessage(EventId = 215, Level = LogLevel.Information, Message = "Sync succeeded again after {Failures} failed attempts")]
    private partial void LogSyncRecovered(int failures);

    [LoggerMessage(EventId = 208, Level = LogLevel.Information, Message = "Stopping; routes, NAT rules and the conflist stay in place")]
    private partial void LogStopping();

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "No successful sync within {Seconds} s of start; continuing to try")]
    private partial void LogStartedBeforeFirstSync(double seconds);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Stopped before the first sync")]
    private partial void LogStoppedBeforeFirstSync();
}
