using Microsoft.Extensions.Logging;

namespace CniV6.Plugin.Cni;

internal sealed partial class CniDispatcher
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "{Command} started: network {Network} (cniVersion {CniVersion}), container {ContainerId}, ifname {IfName}, netns {NetNs}")]
    private partial void LogCommandStarted(string command, string network, string cniVersion, string containerId, string ifName, string netNs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "{Command} succeeded in {ElapsedMicroseconds} µs")]
    private partial void LogCommandSucceeded(string command, long elapsedMicroseconds);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning,
        Message = "{Command} failed in {ElapsedMicroseconds} µs with code {Code}: {ErrorMessage} [details: {Details}]")]
    private partial void LogCommandFailed(string command, long elapsedMicroseconds, int code, string errorMessage, string details, Exception? exception);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "{Command} failed in {ElapsedMicroseconds} µs with an unexpected exception")]
    private partial void LogCommandCrashed(string command, long elapsedMicroseconds, Exception exception);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "could not write the response to stdout")]
    private partial void LogOutputFailed(Exception exception);
}
