namespace CniV6.Plugin.Cli;

/// <summary>A verb could not do its work (not a usage error): <see cref="CommandLine"/> prints <c>cniv6: message</c> on stderr and exits 1.</summary>
internal sealed class CliFailureException(string message, Exception? inner = null) : Exception(message, inner)
{
    public const int ExitCode = 1;
}
