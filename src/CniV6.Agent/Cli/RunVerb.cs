using System.CommandLine;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Health;
using CniV6.Agent.Kubernetes;
using CniV6.Agent.Logging;
using CniV6.Agent.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CniV6.Agent.Cli;

/// <summary><c>cniv6-agent run</c> (also the default): the node agent, until SIGTERM.</summary>
internal static class RunVerb
{
    public static Command Create(VerbContext context)
    {
        var command = new Command("run", "Run the node agent (the default): learn pools and peers, keep the plugin, conflist, routes and NAT in place.");
        command.SetAction((parsed, cancellation) => context.Run(context.Invocation(parsed), cancellation));
        return command;
    }

    /// <summary>Exit 2 with one line on stderr when the configuration is unusable; 0 after a graceful stop.</summary>
    public static async Task<int> RunAsync(AgentInvocation invocation, CancellationToken cancellationToken)
    {
        // The empty builder leaves out appsettings.json and unprefixed environment variables; the agent's
        // configuration layers are exactly those of AgentConfiguration.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "cniv6-agent" });
        AgentOptions options;
        AgentLogFormat logFormat;
        KubernetesNodeApi? nodeApi = null;
        try
        {
            invocation.Configure(builder.Configuration);
            options = AgentOptionsReader.Read(builder.Configuration, Path.Combine(AppContext.BaseDirectory, PluginInstaller.PluginFileName));
            logFormat = AgentLogging.ReadFormat(builder.Configuration);
            if (options.Source == ClusterSourceKind.Kubernetes)
            {
                nodeApi = KubernetesNodeApi.Create(options.Kubeconfig);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Everything up to here is reading what the agent was told (flags, environment, config file, kubeconfig):
            // whatever is wrong with it — a malformed or non-object JSON file, a duplicate key, a directory or FIFO
            // where the file should be, a kubeconfig that is not YAML — is one line naming it, never a stack trace.
            await invocation.Error.WriteLineAsync($"cniv6-agent: {ExceptionText.OneLine(e)}").ConfigureAwait(false);
            return AgentCommandLine.UsageError;
        }

        // Type=notify readiness/stopping and journald-friendly log lines when run by systemd; no-op otherwise.
        builder.Services.AddSystemd();
        builder.Logging.AddAgentConsole(builder.Configuration, logFormat);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ClusterStateStore>();
        services.AddSingleton<AgentHealth>();
        services.AddSingleton<AgentMetrics>();
        // Health first: it answers (not ready) while the reconciler's start-up waits for the first sync.
        services.AddHostedService<HealthServer>();
        // CNI operations the plugin recorded and this node's pool usage, exported on /metrics.
        services.AddHostedService<CniMetricsService>();
        if (nodeApi is not null)
        {
            services.AddSingleton<INodeApi>(nodeApi);
            services.AddSingleton(nodeApi);
            services.AddHostedService<KubernetesClusterSource>();
            services.AddSingleton<KubernetesEventRecorder>();
            services.AddSingleton<IClusterEvents>(provider => provider.GetRequiredService<KubernetesEventRecorder>());
            services.AddHostedService(provider => provider.GetRequiredService<KubernetesEventRecorder>());
            // NetworkUnavailable=False on this Node after the first sync (clouds taint new nodes until a CNI says so).
            services.AddHostedService<NodeNetworkCondition>();
        }
        else
        {
            services.AddHostedService<StaticClusterSource>();
        }

        services.AddLinuxDataplane().AddDataplane(options);

        using var host = builder.Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        // Resolved now: RunAsync disposes the host's services when it returns.
        var backgroundServices = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToArray();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            // SIGTERM while starting (before the first sync): a clean stop, not a crash.
            return 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Last resort: whatever escaped the services is one line and exit 1 (systemd/kubelet restart the agent),
            // never the runtime's abort (exit 134) with a stack trace.
            await invocation.Error.WriteLineAsync($"cniv6-agent: stopped: {ExceptionText.OneLine(e)}").ConfigureAwait(false);
            return 1;
        }

        // A service that failed stopped the host (BackgroundServiceExceptionBehavior.StopHost): say so in the exit code.
        return backgroundServices.Any(s => s.ExecuteTask?.IsFaulted == true) ? 1 : 0;
    }
}
