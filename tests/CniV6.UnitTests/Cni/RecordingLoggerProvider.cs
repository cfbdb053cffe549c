using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;

namespace CniV6.UnitTests.Cni;

/// <summary>An in-memory log sink standing in for the file log.</summary>
[SupportedOSPlatform("linux")]
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    public List<(string Category, LogLevel Level, int EventId, string Message)> Events { get; } = [];

    public bool Disposed { get; private set; }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() => Disposed = true;

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Events.Add((category, logLevel, eventId.Id, formatter(state, exception)));
    }
}
