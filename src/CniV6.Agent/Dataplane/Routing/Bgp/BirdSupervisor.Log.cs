using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Routing.Bgp;

internal sealed partial class BirdSupervisor
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "BIRD started (pid {Pid}, graceful-restart recovery {Recovering})")]
    private partial void LogBirdStarted(int pid, bool recovering);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Adopted the BIRD already answering on {Socket}")]
    private partial void LogAdopted(string socket);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "BIRD configured: {Reply}")]
    private partial void LogConfigured(string reply);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "BIRD {How}; restarting in {Seconds} s")]
    private partial void LogBirdDied(string how, double seconds);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "Restarting BIRD failed; retrying after back-off")]
    private partial void LogRestartFailed(Exception e);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "bird: {Line}")]
    private partial void LogBirdOutput(string line);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Asking BIRD to shut down failed")]
    private partial void LogStopFailed(Exception e);
}
