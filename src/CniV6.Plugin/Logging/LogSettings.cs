using CniV6.Core.Config;
using Microsoft.Extensions.Logging;

namespace CniV6.Plugin.Logging;

/// <summary>
/// Where and how much the plugin logs (the network configuration's logFile, logLevel, logFileMaxBytes and
/// logFileMaxFiles), and which invocation every line names.
/// </summary>
internal sealed record LogSettings(
    string LogFile,
    LogLevel MinimumLevel,
    LogInvocation Invocation,
    long MaxFileBytes = NetworkConfig.DefaultLogFileMaxBytes,
    int MaxFiles = NetworkConfig.DefaultLogFileMaxFiles);
