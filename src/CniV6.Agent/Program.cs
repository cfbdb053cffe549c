using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Health;
using CniV6.Agent.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // The empty builder leaves out appsettings.json and unprefixed environment variables; the agent's
        // configuration layers are exactly those of AgentConfiguration.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ApplicationName = "cniv6-agent" });
        AgentConfiguration.Build(builder.Configuration, args, AgentConfiguration.ProcessEnvironment());

        AgentOptions options;
        INodeApi? nodeApi = null;
        try
        {
            options = AgentOptionsReader.Read(builder.Configuration, Path.Combine(AppContext.BaseDirectory, PluginInstaller.PluginFileName));
            if (options.Source == ClusterSourceKind.Kubernetes)
            {
                nodeApi = KubernetesNodeApi.Create(options.Kubeconfig);
            }
        }
        catch (Exception e) when (e is AgentConfigurationException or k8s.Exceptions.KubeConfigException or IOException)
        {
            await Console.Error.WriteLineAsync($"cniv6-agent: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            console.UseUtcTimestamp = true;
        });

        // Type=notify readiness/stopping and journald-friendly log lines when run by systemd; no-op otherwise.
        builder.Services.AddSystemd();

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ClusterStateStore>();
        services.AddSingleton<AgentHealth>();
        services.AddSingleton<AgentMetrics>();
        // Health first: it answers (not ready) while the reconciler's start-up waits for the first sync.
        services.AddHostedService<HealthServer>();
        if (nodeApi is not null)
        {
            services.AddSingleton(nodeApi);
            services.AddHostedService<KubernetesClusterSource>();
        }
        else
        {
            services.AddHostedService<StaticClusterSource>();
        }

        services.AddLinuxDataplane().AddDataplane(options);

        using var host = builder.Build();
        await host.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
