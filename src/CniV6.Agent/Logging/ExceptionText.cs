namespace CniV6.Agent.Logging;

/// <summary>How the agent shows an exception to a person: its message and its causes', on one line, no stack trace.</summary>
internal static class ExceptionText
{
    /// <summary>Deeper causes add nothing a person acts on, and a loop of inner exceptions must end.</summary>
    private const int MaxCauses = 4;

    /// <summary><c>sync failed: could not open /etc/cni/net.d: Permission denied</c> — duplicates left out.</summary>
    public static string OneLine(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var parts = new List<string>();
        for (Exception? current = exception; current is not null && parts.Count < MaxCauses; current = current.InnerException)
        {
            var message = current.Message.ReplaceLineEndings(" ").Trim();
            if (message.Length > 0 && !parts.Contains(message))
            {
                parts.Add(message);
            }
        }

        return parts.Count > 0 ? string.Join(": ", parts) : exception.GetType().Name;
    }
}
