using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

internal sealed partial class ForwardingController
{
    [LoggerMessage(EventId = 209, Level = LogLevel.Information, Message = "Set sysctl {Key}")]
    private partial void LogSysctlChanged(string key);
}
