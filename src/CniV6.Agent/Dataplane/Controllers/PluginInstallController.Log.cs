using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

internal sealed partial class PluginInstallController
{
    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "Installed the cniv6 plugin into {BinDir}")]
    private partial void LogPluginInstalled(string binDir);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Plugin source {Path} does not exist; not installing the plugin")]
    private partial void LogPluginSourceMissing(string path);
}
