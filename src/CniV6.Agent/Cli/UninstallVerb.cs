using System.CommandLine;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Routing;
using CniV6.Agent.Dataplane.Routing.HostGateway;
using CniV6.Agent.Health;
using CniV6.Agent.Logging;
using CniV6.Core.Nat;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CniV6.Agent.Cli;

/// <summary>
/// <c>cniv6-agent uninstall</c>: removes what cniv6 put on this node (<see cref="NodeUninstaller"/>), with the same
/// configuration (file, environment, flags) the agent ran with, so the same paths and network name. Run it after
/// stopping the agent, in the node's network namespace. Exit 0 when everything of cniv6 is gone, 1 when a step failed.
/// </summary>
internal static class UninstallVerb
{
    public static Command Create(VerbContext context)
    {
        var command = new Command("uninstall",
            "Remove cniv6 from this node: the conflist, the pods' host veths, the NAT chains, the agent's routes, the IPAM state and the installed binaries. Stop the agent first.");
        command.SetAction((parsed, _) => Task.FromResult(Run(context.Invocation(parsed))));
        return command;
    }

    private static int Run(AgentInvocation invocation)
    {
        AgentOptions options;
        try
        {
            // The node's name does not matter for removal; the host name stands in when none is configured.
            using var builder = new ConfigurationManager();
            builder.AddInMemoryCollection([new KeyValuePair<string, string?>("NodeName", Environment.MachineName)]);
            invocation.Configure(builder);
            options = AgentOptionsReader.Read(builder, Path.Combine(AppContext.BaseDirectory, PluginInstaller.PluginFileName));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // As for run: whatever is wrong with the configuration (a duplicate key, a top-level array, a FIFO) is
            // one line and exit 2, never a stack trace.
            invocation.Error.WriteLine($"cniv6-agent: {ExceptionText.OneLine(e)}");
            return AgentCommandLine.UsageError;
        }

        using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(options)
            .AddSingleton(TimeProvider.System)
            .AddSingleton<AgentMetrics>()
            .AddSingleton(options.Vxlan)
            .AddSingleton(options.Bgp)
            .AddLinuxDataplane()
            .BuildServiceProvider();
        var modeRecord = RoutingModeRecord.ForCurrentNamespace(options.RunDirectory);

        // The mode on record and the configured one; each removes only the state it owns.
        var modes = new[] { modeRecord.Read(), options.RoutingMode }
            .OfType<string>().Distinct(StringComparer.Ordinal)
            .Select(name => RoutingModes.TryCreate(name, services)).OfType<IRoutingMode>().ToArray();

        var uninstaller = new NodeUninstaller(options, modes, services.GetRequiredService<INodeRouteTable>(), [new NftablesMasqueradeBackend(), new IptablesMasqueradeBackend()],
                                              modeRecord, invocation.Output, invocation.Error);
        return uninstaller.Run() ? 0 : 1;
    }
}
