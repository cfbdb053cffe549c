using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane.Controllers;
using CniV6.Agent.Dataplane.Linux;
using CniV6.Agent.Dataplane.Routing;
using CniV6.Agent.Dataplane.Routing.Bgp;
using CniV6.Agent.Dataplane.Routing.HostGateway;
using CniV6.Agent.Dataplane.Routing.Vxlan;
using CniV6.Core.NodeState;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane;

/// <summary>
/// The one place the dataplane is put together: the kernel seams, the active routing mode and the controllers in
/// the order a sync runs them. A new concern is one controller class plus one line in <see cref="AddDataplane"/>.
/// </summary>
internal static class DataplaneComposition
{
    /// <summary>The Linux implementations of the kernel seams (tests register fakes instead).</summary>
    public static IServiceCollection AddLinuxDataplane(this IServiceCollection services)
    {
        services.AddSingleton<ILocalPrefixReader, NetlinkLocalPrefixReader>();
        services.AddSingleton<INodeRouteTable, NetlinkNodeRouteTable>();
        services.AddSingleton<IVxlanDataplane, LinuxVxlanDataplane>();
        services.AddSingleton<IMasqueradeControl, MasqueradeControl>();
        services.AddSingleton<IForwardingControl, SysctlForwardingControl>();
        services.AddSingleton<IBgpKernelRoutes, NetlinkBgpKernelRoutes>();
        services.AddSingleton<IBirdDaemon, BirdSupervisor>();
        return services;
    }

    /// <summary>The controllers and their reconciler; the registration order is the sync order.</summary>
    public static IServiceCollection AddDataplane(this IServiceCollection services, AgentOptions options)
    {
        services.TryAddSingleton(options.Vxlan);
        services.TryAddSingleton(options.Bgp);
        services.TryAddSingleton(_ => NodeStateFiles.ForCurrentNamespace(options.RunDirectory));
        services.TryAddSingleton(provider => new RoutingModeRecord(provider.GetRequiredService<NodeStateFiles>().RoutingModePath));
        services.AddSingleton(provider => RoutingModes.TryCreate(options.RoutingMode, provider)
                                          ?? throw new AgentConfigurationException($"unknown routing mode {options.RoutingMode}"));

        // The binary before the conflist that names it, forwarding before any pod can need it, the conflist before
        // routes (pods on this node get network as early as possible), NAT (the slow part; see MasqueradeController),
        // then the housekeeping that no pod waits for: addresses of pods gone without DEL.
        services.AddSingleton<IDataplaneController, PluginInstallController>();
        services.AddSingleton<IDataplaneController, ForwardingController>();
        services.AddSingleton<IDataplaneController, ConflistController>();
        services.AddSingleton<IDataplaneController>(provider => new PodRoutingController(
            provider.GetRequiredService<IRoutingMode>(),
            name => RoutingModes.TryCreate(name, provider),
            provider.GetRequiredService<RoutingModeRecord>(),
            provider.GetRequiredService<ILogger<PodRoutingController>>()));
        services.AddSingleton<IDataplaneController, MasqueradeController>();
        services.AddSingleton<IDataplaneController, IpamReclaimController>();

        services.TryAddSingleton<IClusterEvents, NoClusterEvents>();
        services.AddSingleton<PeerScreen>();
        services.AddHostedService<DataplaneReconciler>();
        return services;
    }
}
