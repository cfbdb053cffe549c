using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Plugin.Logging;

/// <summary>
/// Appends one line per event to the configured log file (stdout belongs to the CNI protocol, and the runtime
/// usually discards stderr). Every line names the invocation (command, container ID, ifname). The file, its size cap
/// and rotation shared safely by concurrent plugin processes are <see cref="RotatingLogFile"/>'s; it is opened on the
/// first event, through a symlink never, and only if it is a regular file (a FIFO would block the plugin). If it
/// cannot be opened or written, logging turns itself off rather than failing the command.
/// </summary>
internal sealed class FileLoggerProvider : ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int _processId = Environment.ProcessId;
    private readonly RotatingLogFile _file;
    private bool _disabled;

    private FileLoggerProvider(LogSettings settings, TimeProvider time)
    {
        Settings = settings;
        _time = time;
        _file = new RotatingLogFile(settings.LogFile, settings.MaxFileBytes, settings.MaxFiles);
    }

    public LogSettings Settings { get; }

    /// <summary>A provider for <paramref name="settings"/>; with level None nothing is ever opened.</summary>
    public static ILoggerProvider Open(LogSettings settings, TimeProvider? time = null) =>
        settings.MinimumLevel == LogLevel.None
            ? NullLoggerProvider.Instance
            : new FileLoggerProvider(settings, time ?? TimeProvider.System);

    public ILogger CreateLogger(string categoryName) => new FileLogger(categoryName, this);

    public void Dispose()
    {
        lock (_gate)
        {
            _disabled = true;
            _file.Dispose();
        }
    }

    internal bool IsEnabled(LogLevel level) => level != LogLevel.None && level >= Settings.MinimumLevel && !_disabled;

    internal void Write(string category, LogLevel level, EventId eventId, string message, Exception? exception)
    {
        var line = FormatLine(_time.GetUtcNow(), _processId, level, Settings.Invocation, category, eventId, message, exception);
        lock (_gate)
        {
            if (_disabled)
            {
                return;
            }

            try
            {
                _file.Append(line);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                // Logging is a diagnostic aid; a read-only /var/log must not fail pod creation.
                _disabled = true;
                _file.Dispose();
            }
        }
    }

    /// <summary>
    /// <c>2026-11-24T00:41:26.123456Z [4242] INFO ADD 3f2a9c1b7d eth0 Category[1001] message | exception</c>: time,
    /// process, level, the invocation (command, container ID, ifname; "-" for what the runtime did not pass), the
    /// event and its text. Line breaks inside the message or exception are escaped so that every event stays one line.
    /// </summary>
    internal static byte[] FormatLine(DateTimeOffset timestamp, int processId, LogLevel level, LogInvocation invocation, string category, EventId eventId, string message, Exception? exception)
    {
        var builder = new StringBuilder(200);
        builder.Append(timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture))
            .Append(" [").Append(processId).Append("] ")
            .Append(LevelName(level)).Append(' ')
            .Append(invocation.Text).Append(' ')
            .Append(category).Append('[').Append(eventId.Id).Append("] ")
            .Append(OneLine(message));
        if (exception is not null)
        {
            builder.Append(" | ").Append(OneLine(exception.ToString()));
        }

        builder.Append('\n');
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRIT",
        _ => level.ToString().ToUpperInvariant(),
    };

    private static string OneLine(string text) =>
        text.Contains('\n', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal)
            ? text.Replace("\r\n", "\\n", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal)
            : text;
}
