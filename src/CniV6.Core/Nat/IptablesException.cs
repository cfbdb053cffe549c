namespace CniV6.Core.Nat;

/// <summary>An iptables program failed; carries the command and what it wrote to stderr.</summary>
public class IptablesException : MasqueradeException
{
    public IptablesException(string command, int exitCode, string standardError, string? problem = null)
        : base($"{command} failed{(problem is null ? $" with exit code {exitCode}" : $": {problem}")}: {standardError.Trim()}")
    {
        Command = command;
        ExitCode = exitCode;
        StandardError = standardError;
    }

    public string Command { get; }

    /// <summary>The program's exit code; -1 when it timed out.</summary>
    public int ExitCode { get; }

    public string StandardError { get; }
}
