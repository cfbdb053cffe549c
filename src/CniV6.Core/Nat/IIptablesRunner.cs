namespace CniV6.Core.Nat;

/// <summary>
/// Runs one iptables program. The seam lets tests run the same commands inside a throwaway namespace
/// (<c>ip netns exec</c>) and count how many processes a call costs.
/// </summary>
internal interface IIptablesRunner
{
    /// <summary>Runs <paramref name="program"/> (no shell) and returns its exit code and output;
    /// a program that is not installed answers exit code 127.</summary>
    IptablesResult Run(string program, IReadOnlyList<string> arguments, string? standardInput);
}

internal sealed record IptablesResult(int ExitCode, string StandardOutput, string StandardError)
{
    public const int NotFoundExitCode = 127;
}
