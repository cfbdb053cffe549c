using Microsoft.Extensions.Logging;

namespace CniV6.Plugin.Logging;

/// <summary>One category's view of a <see cref="FileLoggerProvider"/>; scopes are not recorded.</summary>
internal sealed class FileLogger(string category, FileLoggerProvider provider) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => provider.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            provider.Write(category, logLevel, eventId, formatter(state, exception), exception);
        }
    }
}
