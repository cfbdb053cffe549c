using CniV6.Agent.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace CniV6.Agent.Logging;

/// <summary>
/// The agent's log: stdout (journald or the container log), one line per event, as text (default; systemd's
/// priority-prefixed lines when run by systemd) or as JSON objects (<c>Logging:Format</c>, <c>--log-format</c>),
/// levels from <c>Logging:LogLevel</c>. The host's own status lines ("Application started. Press Ctrl+C to shut
/// down.", "Hosting environment", "Content root path") say nothing about the network and are left out; its warnings
/// stay. An exception is shown as its message (<see cref="ExceptionAsTextLoggerProvider"/>).
/// </summary>
internal static class AgentLogging
{
    public const string FormatKey = "Logging:Format";

    /// <summary>The category of the host's start/stop status messages.</summary>
    public const string HostLifetimeCategory = "Microsoft.Hosting.Lifetime";

    /// <summary>The configured output format; anything but text or json is an <see cref="AgentConfigurationException"/>.</summary>
    public static AgentLogFormat ReadFormat(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[FormatKey];
        return text?.Trim().ToLowerInvariant() switch
        {
            null or "" or "text" => AgentLogFormat.Text,
            "json" => AgentLogFormat.Json,
            _ => throw new AgentConfigurationException($"{FormatKey} must be \"text\" or \"json\", not \"{text}\""),
        };
    }

    /// <summary>Sets up the console log; call after <c>AddSystemd</c>, which chooses its own text format.</summary>
    public static ILoggingBuilder AddAgentConsole(this ILoggingBuilder logging, IConfiguration configuration, AgentLogFormat format)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(configuration);
        logging.AddConfiguration(configuration.GetSection("Logging"));
        if (format == AgentLogFormat.Json)
        {
            logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });

            // Under systemd, AddSystemd switches the console to its own text format; JSON asked for is JSON.
            logging.Services.PostConfigure<ConsoleLoggerOptions>(console => console.FormatterName = ConsoleFormatterNames.Json);
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                console.UseUtcTimestamp = true;
            });
        }

        // After the configuration's rules: the most specific rule added last wins.
        logging.AddFilter(HostLifetimeCategory, LogLevel.Warning);

        // The console provider, wrapped so that exceptions are text.
        var registered = logging.Services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)).ToList();
        foreach (var descriptor in registered)
        {
            logging.Services.Remove(descriptor);
        }

        logging.Services.AddSingleton<ILoggerProvider>(services => new ExceptionAsTextLoggerProvider(
            new ConsoleLoggerProvider(services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>(), services.GetServices<ConsoleFormatter>())));
        return logging;
    }
}
