using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane.Routing;
using CniV6.Agent.Dataplane.Routing.HostGateway;
using CniV6.Core.Nat;
using CniV6.Core.Pod;
using CniV6.Netlink;

namespace CniV6.Agent.Dataplane;

/// <summary>
/// Takes cniv6 off this node (the network namespace of the calling thread) for the configured network: the
/// conflist (first, so the runtime stops wiring new pods), the pods' host veths (each found by its alias naming
/// this network and by the name derived from that attachment), the NAT chains of both families, the routes the
/// routing modes own, the installed-mode record, the network's IPAM state, the plugin binary and the reference
/// plugins the agent itself installed. Only what cniv6 names as its own: another network's veths, foreign routes
/// and chains, a portmap the node had before, and the forwarding sysctls (other software may rely on them) stay.
/// Keeps going past a failed step and reports each; the agent must be stopped first, or it puts everything back.
/// </summary>
internal sealed class NodeUninstaller(
    AgentOptions options,
    IReadOnlyList<IRoutingMode> routingModes,
    INodeRouteTable routeTable,
    IReadOnlyList<IMasqueradeBackend> masquerade,
    RoutingModeRecord modeRecord,
    TextWriter output,
    TextWriter error)
{
    /// <summary>Runs every step; false when any failed (each failure is on <c>error</c>).</summary>
    public bool Run()
    {
        var ok = true;
        ok &= Step("conflist", RemoveConflist);
        ok &= Step("pod veths", RemovePodVeths);
        ok &= Step("NAT chains", RemoveNat);
        ok &= Step("routes", RemoveRoutes);
        ok &= Step("routing mode record", () => RemoveFile(modeRecord.Path, "routing mode record"));
        ok &= Step("node records", RemoveNodeRecords);
        ok &= Step("IPAM state", RemoveIpamState);
        ok &= Step("binaries", RemoveBinaries);
        return ok;
    }

    private bool Step(string what, Action step)
    {
        try
        {
            step();
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error.WriteLine($"cniv6-agent uninstall: {what}: {e.Message}");
            return false;
        }
    }

    private void RemoveConflist() => RemoveFile(Path.Combine(options.CniConfDir, options.CniConfFileName), "conflist");

    private void RemovePodVeths()
    {
        using var netlink = RtNetlink.Open();
        var removed = 0;
        foreach (var link in netlink.ListLinks())
        {
            if (link.Kind == "veth"
                && LinkAlias.TryParse(link.Alias, out var network, out var containerId, out var ifName)
                && network == options.NetworkName
                && link.Name == HostVethName.For(containerId, ifName))
            {
                netlink.DeleteLink(link.Index);
                removed++;
                output.WriteLine($"removed host veth {link.Name} (pod {containerId} {ifName})");
            }
        }

        if (removed == 0)
        {
            output.WriteLine($"no host veths of network {options.NetworkName}");
        }
    }

    /// <summary>Every backend's rules: the node may have switched backends, and each removes only its own.</summary>
    private void RemoveNat()
    {
        foreach (var backend in masquerade)
        {
            backend.Remove(options.NetworkName);
            output.WriteLine(backend is NftablesMasqueradeBackend
                ? $"removed the NAT chain {NftablesMasqueradeBackend.ChainName(options.NetworkName)} of table inet {NftablesMasqueradeBackend.Table} (nftables; the table too when nothing else is left in it) if present"
                : $"removed the NAT chain {IptablesMasqueradeBackend.ChainName(options.NetworkName)} and its POSTROUTING jump (ip6tables and iptables, {backend.Name}) if present");
        }
    }

    private void RemoveRoutes()
    {
        var before = routeTable.ListOwnedRoutes();
        foreach (var mode in routingModes)
        {
            mode.Remove();
        }

        var left = routeTable.ListOwnedRoutes();
        foreach (var route in before.Except(left))
        {
            output.WriteLine($"removed route {route}");
        }

        if (left.Count > 0)
        {
            throw new InvalidOperationException($"{left.Count} route(s) with protocol {RouteProtocol.CniV6} are still there: {string.Join(", ", left)}");
        }

        if (before.Count == 0)
        {
            output.WriteLine($"no routes with protocol {RouteProtocol.CniV6}");
        }
    }

    private void RemoveIpamState()
    {
        var network = Path.Combine(options.IpamDataDir, options.NetworkName);
        if (Directory.Exists(network))
        {
            Directory.Delete(network, recursive: true);
            output.WriteLine($"removed IPAM state {network}");
        }
        else
        {
            output.WriteLine($"no IPAM state {network}");
        }
    }

    private void RemoveBinaries()
    {
        RemoveFile(Path.Combine(options.CniBinDir, PluginInstaller.PluginFileName), "plugin");
        var record = InstalledPluginsRecord.For(options);
        foreach (var name in record.Read())
        {
            RemoveFile(Path.Combine(options.CniBinDir, name), $"{name} (installed by cniv6-agent)");
        }

        RemoveFile(record.Path, "record of installed plugins");

        // The data dir itself only when nothing else (another network's state) is left in it.
        if (Directory.Exists(options.IpamDataDir) && !Directory.EnumerateFileSystemEntries(options.IpamDataDir).Any())
        {
            Directory.Delete(options.IpamDataDir);
            output.WriteLine($"removed {options.IpamDataDir}");
        }
    }

    /// <summary>What the agent recorded for cniv6 doctor (pod CIDRs, overlay devices): it describes a node that is going.</summary>
    private void RemoveNodeRecords()
    {
        var files = Core.NodeState.NodeStateFiles.ForCurrentNamespace(options.RunDirectory);
        RemoveFile(files.NodePath, "node record");
        RemoveFile(files.OverlayPath, "overlay record");
    }

    private void RemoveFile(string path, string what)
    {
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
            output.WriteLine($"removed {what} {path}");
        }
        else
        {
            output.WriteLine($"no {what} {path}");
        }
    }
}
