using CniV6.Agent.Cli;
using CniV6.Agent.Configuration;

namespace CniV6.Agent;

internal static class Program
{
    public static Task<int> Main(string[] args) => AgentCommandLine.InvokeAsync(args, AgentConfiguration.ProcessEnvironment());
}
