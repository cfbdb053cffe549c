using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

internal sealed partial class PluginInstallController
{
    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "Installed the cniv6 plugin into {BinDir}")]
    private partial void LogPluginInstalled(string binDir);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Plugin source {Path} does not exist; not installing the plugin")]
    private partial void LogPluginSourceMissing(string path);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Installed the reference plugin {Plugin} from {Source} into {BinDir}, which had none")]
    private partial void LogReferencePluginInstalled(string plugin, string source, string binDir);

    [LoggerMessage(EventId = 212, Level = LogLevel.Warning, Message = "The reference plugin {Plugin} is not in {BinDir} and none of the reference plugin dirs has it ({Dirs}); not installed")]
    private partial void LogReferencePluginUnavailable(string plugin, string binDir, string dirs);
}
