using Microsoft.Extensions.Logging;

namespace CniV6.Plugin.Logging;

/// <summary>Where and how much the plugin logs; comes from the network configuration (logFile, logLevel).</summary>
internal sealed record LogSettings(string LogFile, LogLevel MinimumLevel);
