using CniV6.Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace CniV6.Agent.Cli;

/// <summary>What a verb is invoked with: the configuration flags it was given, the environment, and where to write.</summary>
internal sealed record AgentInvocation(
    IReadOnlyList<KeyValuePair<string, string?>> Flags,
    IReadOnlyDictionary<string, string> Environment,
    TextWriter Output,
    TextWriter Error)
{
    /// <summary>Adds the agent's configuration layers (file, NODE_NAME, CNIV6_* environment, these flags) to <paramref name="builder"/>.</summary>
    public void Configure(IConfigurationBuilder builder) => AgentConfiguration.Build(builder, Flags, Environment);
}
