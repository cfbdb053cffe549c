namespace CniV6.Agent.Cli;

/// <summary>What <see cref="AgentCommandLine"/> hands each verb's <c>Create</c>.</summary>
/// <param name="Invocation">Resolves a parse of this verb into its flags, environment and writers.</param>
/// <param name="Run">Runs the agent (the <c>run</c> verb's work; the root's too, as the default verb).</param>
internal sealed record VerbContext(
    Func<System.CommandLine.ParseResult, AgentInvocation> Invocation,
    Func<AgentInvocation, CancellationToken, Task<int>> Run);
