using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane.Routing;
using CniV6.Agent.Health;
using CniV6.Core.NodeState;
using CniV6.Linux;
using CniV6.Netlink;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

/// <summary>
/// Writes the conflist the container runtime hands to the plugin: this node's pools, the cluster's pod CIDRs (no
/// masquerade between pods) and the pod MTU. Rewritten only when its content changes. portmap is chained only while
/// the CNI bin dir has it: the runtime fails a list's ADD (and DEL, leaking the addresses) when a plugin it names
/// is missing, so a node without portmap gets a working network without hostPort, and a warning saying why.
/// </summary>
internal sealed partial class ConflistController(
    AgentOptions options,
    IRoutingMode routing,
    AgentMetrics metrics,
    ILogger<ConflistController> logger,
    NodeStateFiles? nodeState = null) : IDataplaneController
{
    private const int FallbackMtu = 1500;
    private const UnixFileMode ConflistMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode ConfDirMode = ConflistMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly string _path = Path.Combine(options.CniConfDir, options.CniConfFileName);
    private bool _portmapLeftOut;

    public string Name => "conflist";

    public void Reconcile(SyncContext sync)
    {
        var portmap = ChainPortmap();
        var conflist = ConflistRenderer.Render(options, sync.State, PodMtu(sync), portmap);

        // For cniv6 doctor, before anything can refuse them: this node's pod CIDRs as the cluster says now (doctor
        // compares them with the conflist, which keeps the last good pools when the list below is refused), and the
        // reclaim's grace period (so its leak report is exactly what the reclaim will do). Unchanged: not rewritten.
        nodeState?.WriteNode(new AgentNodeRecord(
            sync.State.LocalNodeName,
            Path.GetFullPath(_path),
            options.NetworkName,
            [.. sync.State.LocalPools.Select(Cidr.Format)],
            options.IpamReclaim ? options.IpamReclaimGrace.TotalSeconds : null));
        if (ConflistRenderer.PluginRefusal(conflist) is { } refusal)
        {
            // What the plugin refuses the agent refuses: the sync fails (never Ready) and the last good list stays.
            throw new InvalidOperationException($"the plugin would refuse the conflist for pools {string.Join(", ", sync.State.LocalPools)}: {refusal}; not writing it");
        }

        if (AtomicFile.WriteIfChanged(_path, conflist, ConflistMode, ConfDirMode))
        {
            metrics.ConflistWritten();
            LogConflistWritten(_path, sync.State.LocalPools, portmap ? ReferencePlugins.Portmap : "nothing");
        }
    }

    /// <summary>Wanted and present; the warning once each time it goes missing.</summary>
    private bool ChainPortmap()
    {
        if (!options.Portmap)
        {
            return false;
        }

        var present = ReferencePlugins.IsPresent(options.CniBinDir, ReferencePlugins.Portmap);
        if (!present && !_portmapLeftOut)
        {
            LogPortmapLeftOut(options.CniBinDir);
        }

        _portmapLeftOut = !present;
        return present;
    }

    /// <summary>An explicit MTU wins; otherwise the uplink's, less what the routing mode's encapsulation takes.</summary>
    internal int PodMtu(SyncContext sync) => options.Mtu ?? DetectUplinkMtu(sync) - routing.PodMtuOverhead(sync);

    /// <summary>
    /// The MTU of the link that carries this node's own address (the segment pod traffic leaves by), or failing
    /// that of the link that reaches the peers.
    /// </summary>
    private static int DetectUplinkMtu(SyncContext sync)
    {
        var state = sync.State;
        var prefixes = sync.LocalPrefixes;
        var self = state.Nodes.FirstOrDefault(n => n.Name == state.LocalNodeName);
        var own = self?.InternalAddresses.Select(a => prefixes.FirstOrDefault(p => p.Address.Equals(a))).OfType<LocalPrefix>().FirstOrDefault();
        if (own is not null)
        {
            return own.Mtu;
        }

        var peerAddresses = state.Nodes.Where(n => n.Name != state.LocalNodeName).SelectMany(n => n.InternalAddresses);
        var toPeers = peerAddresses.Select(a => prefixes.FirstOrDefault(p => Cidr.Contains(p.Prefix, a))).OfType<LocalPrefix>().FirstOrDefault();
        return toPeers?.Mtu ?? FallbackMtu;
    }
}
