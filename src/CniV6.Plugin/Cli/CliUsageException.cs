namespace CniV6.Plugin.Cli;

/// <summary>The command line does not fit: <see cref="CommandLine"/> prints the message and the usage on stderr and exits 2.</summary>
internal sealed class CliUsageException(string message, ICliVerb? verb = null) : Exception(message)
{
    /// <summary>The verb whose usage to show; null for the top-level usage.</summary>
    public ICliVerb? Verb { get; } = verb;
}
