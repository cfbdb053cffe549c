using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Logging;

/// <summary>
/// Wraps the console provider so that an exception passed with an event is shown as its message text at the end of
/// the event's own line (<see cref="ExceptionText.OneLine"/>), never as a stack trace: the agent's log is read by
/// people and by journald/kubectl logs, where a 40-line trace per retry buries everything else. This covers every
/// event with an exception, the host's own included (a faulted BackgroundService). Both formats (text, JSON) keep
/// their fields; only <c>Exception</c> is folded into the message.
/// </summary>
[ProviderAlias("Console")]
internal sealed class ExceptionAsTextLoggerProvider(ILoggerProvider inner) : ILoggerProvider, ISupportExternalScope
{
    public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName));

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => (inner as ISupportExternalScope)?.SetScopeProvider(scopeProvider);

    public void Dispose() => inner.Dispose();

    private sealed class Logger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is null)
            {
                inner.Log(logLevel, eventId, state, null, formatter);
                return;
            }

            var cause = ExceptionText.OneLine(exception);
            inner.Log(logLevel, eventId, state, null, (s, _) => WithCause(formatter(s, exception), cause));
        }

        private static string WithCause(string message, string cause) =>
            message.Length == 0 ? cause : message.EndsWith(cause, StringComparison.Ordinal) ? message : $"{message}: {cause}";
    }
}
