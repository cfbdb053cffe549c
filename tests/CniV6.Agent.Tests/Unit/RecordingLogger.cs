using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Tests.Unit;

/// <summary>Keeps every event a component logs: level, event id, the formatted message and the exception passed.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly Lock _gate = new();
    private readonly List<LoggedEvent> _events = [];

    public IReadOnlyList<LoggedEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate)
        {
            _events.Add(new LoggedEvent(logLevel, eventId.Id, formatter(state, exception), exception));
        }
    }
}

internal sealed record LoggedEvent(LogLevel Level, int EventId, string Message, Exception? Exception);
