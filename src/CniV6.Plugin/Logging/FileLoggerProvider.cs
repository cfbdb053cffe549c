using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Plugin.Logging;

/// <summary>
/// Appends one line per event to the configured log file (stdout belongs to the CNI protocol, and the runtime
/// usually discards stderr). Many plugin processes share the file, so every line is one <c>write</c> on an
/// O_APPEND descriptor. The file is opened on the first event; if it cannot be opened or written, logging turns
/// itself off rather than failing the command.
/// </summary>
internal sealed class FileLoggerProvider : ILoggerProvider
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly int processId = Environment.ProcessId;
    private AppendOnlyFile? file;
    private bool disabled;

    private FileLoggerProvider(LogSettings settings, TimeProvider time)
    {
        Settings = settings;
        this.time = time;
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
        lock (gate)
        {
            disabled = true;
            file?.Dispose();
            file = null;
        }
    }

    internal bool IsEnabled(LogLevel level) => level != LogLevel.None && level >= Settings.MinimumLevel && !disabled;

    internal void Write(string category, LogLevel level, EventId eventId, string message, Exception? exception)
    {
        var line = FormatLine(time.GetUtcNow(), processId, level, category, eventId, message, exception);
        lock (gate)
        {
            if (disabled)
            {
                return;
            }

            try
            {
                file ??= OpenFile(Settings.LogFile);
                file.Write(line);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                // Logging is a diagnostic aid; a read-only /var/log must not fail pod creation.
                disabled = true;
                file?.Dispose();
                file = null;
            }
        }
    }

    /// <summary>
    /// <c>2026-11-24T00:41:26.123456Z [4242] INFO Category[1001] message | exception</c>; line breaks inside the
    /// message or exception are escaped so that every event stays one line.
    /// </summary>
    internal static byte[] FormatLine(DateTimeOffset timestamp, int processId, LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var builder = new StringBuilder(160);
        builder.Append(timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture))
            .Append(" [").Append(processId).Append("] ")
            .Append(LevelName(level)).Append(' ')
            .Append(category).Append('[').Append(eventId.Id).Append("] ")
            .Append(OneLine(message));
        if (exception is not null)
        {
            builder.Append(" | ").Append(OneLine(exception.ToString()));
        }

        builder.Append('\n');
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static AppendOnlyFile OpenFile(string path)
    {
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory, DirectoryMode);
        }

        return AppendOnlyFile.Open(path, FilePermissions);
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
