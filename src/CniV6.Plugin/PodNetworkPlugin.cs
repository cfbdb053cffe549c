using System.Net;
using System.Net.Sockets;
using CniV6.Core.Forwarding;
using CniV6.Core.Ipam;
using CniV6.Core.Nat;
using CniV6.Core.Pod;
using CniV6.Linux;
using CniV6.Netlink;
using CniV6.Plugin.Cni;
using Microsoft.Extensions.Logging;
using CniV6.Core.Config;

namespace CniV6.Plugin;

/// <summary>
/// The cniv6 plugin: every CNI command as a recipe. The dispatcher has already validated the environment and
/// the config; what is left here is the order of the steps and what each one undoes when a later one fails.
/// </summary>
internal sealed partial class PodNetworkPlugin(ILogger logger) : ICniPlugin
{
    /// <summary>How long an invocation waits for another one holding the same network's IPAM store.</summary>
    private static readonly TimeSpan StoreLockTimeout = TimeSpan.FromSeconds(30);

    public CniResult Add(CniRequest request)
    {
        var config = request.Config;
        var hostVeth = HostVethName.For(request.ContainerId, request.IfName);

        // 0. Refuse what cannot work before anything changes: a CNI_NETNS that is not a network namespace, an
        //    IPv6 pool on a node with IPv6 disabled.
        using var podNetNs = OpenPodNetNs(request.NetNs!);
        if (config.Ipam.IsBuiltIn)
        {
            NodeIPv6.RequireEnabledFor(config.Ipam.Pools);
        }

        //    A retried ADD (the runtime timed out) finds its own earlier veth: remove it and wire afresh.
        //    Its peer inside the pod goes with it, so the pod-side "interface exists" check below only
        //    ever trips over interfaces that are not ours.
        using (var node = RtNetlink.Open())
        {
            if (node.DeleteLinkIfExists(hostVeth))
            {
                LogStaleVethRemoved(hostVeth);
            }
        }

        // 1. Addresses: reserved in the on-disk store (or by the delegated IPAM plugin) before anything is wired,
        //    so a crash from here on leaves a reservation that DEL or GC find and release.
        var ipam = ReserveAddresses(request);
        FaultPoint.Reached(FaultPoint.IpamReserved);
        var addresses = PodAddresses.From(ipam.Addresses);
        try
        {
            using var nodeNetNs = NetNamespace.OpenCurrent();
            using var node = RtNetlink.Open();
            var mtu = config.Mtu ?? NodeMtu.Detect(node);

            // 2. Pod side, inside the pod's namespace on a thread of its own. The node's socket stays in the node's
            //    namespace whichever thread uses it, so the new host veth is labelled at once from in here.
            var podMac = NetNamespace.Run(podNetNs, () =>
            {
                using var pod = RtNetlink.Open();
                var link = PodInterface.CreateVeth(pod, request.IfName, hostVeth, nodeNetNs, mtu);
                HostVeth.Label(node, hostVeth, LinkAlias.For(config.Name, request.ContainerId, request.IfName));
                FaultPoint.Reached(FaultPoint.VethCreated);
                PodInterface.AssignAddresses(pod, link, addresses);
                FaultPoint.Reached(FaultPoint.PodAddressesAssigned);
                PodInterface.AddRoutes(pod, link, addresses);
                FaultPoint.Reached(FaultPoint.PodRoutesAdded);
                return link.Mac;
            });

            // 3. Node side: gateway duties and the /128 + /32 routes down the veth.
            HostVeth.Configure(node, hostVeth, addresses);
            FaultPoint.Reached(FaultPoint.HostSideConfigured);

            // 4. Forwarding and pool-wide MASQUERADE: both cheap no-ops once in place.
            new ForwardingSysctls().EnsureEnabled(ipv6: addresses.IPv6 is not null, ipv4: addresses.IPv4 is not null);
            if (config.IpMasq)
            {
                EnsureMasquerade(config, ipam.Pools);
            }

            FaultPoint.Reached(FaultPoint.MasqueradeEnsured);

            LogAdded(request.ContainerId, request.IfName, hostVeth, addresses.All);
            return ResultFor(request, ipam, hostVeth, podMac, mtu);
        }
        catch (Exception failure)
        {
            // 5. Undo: the host veth takes its pod end and both host routes with it; then the reservation.
            LogAddFailed(failure, request.ContainerId, request.IfName);
            Compensate(request, hostVeth);
            if (failure is InterfaceExistsException exists)
            {
                throw new CniException(CniErrorCode.PluginFailure, exists.Message, "ADD never takes over an interface it did not create", exists);
            }

            throw;
        }
    }

    public void Del(CniRequest request)
    {
        var hostVeth = HostVethName.For(request.ContainerId, request.IfName);

        // Network first, addresses second: an address is never handed out again while a route still points at
        // the old pod. Nothing here needs the pod's namespace, so DEL works when it is already gone.
        using (var node = RtNetlink.Open())
        {
            node.DeleteLinkIfExists(hostVeth);
        }

        ReleaseAddresses(request);
        LogDeleted(request.ContainerId, request.IfName, hostVeth);
    }

    public void Check(CniRequest request)
    {
        var config = request.Config;
        var previous = request.Config.PrevResult
            ?? throw new CniException(CniErrorCode.InvalidNetworkConfig, "CHECK needs prevResult", "the runtime passed no prevResult");
        var addresses = PodAddresses.From(PodAddressesIn(CniResult.Parse(previous), request.IfName));
        var hostVeth = HostVethName.For(request.ContainerId, request.IfName);
        var problems = new List<string>();

        if (config.Ipam.IsBuiltIn)
        {
            var allocation = WithStore(config, store => store.Find(request.ContainerId, request.IfName));
            if (allocation is null)
            {
                problems.Add($"no IPAM allocation for {request.ContainerId}/{request.IfName}");
            }
            else if (!allocation.Addresses.ToHashSet().SetEquals(addresses.All))
            {
                problems.Add($"IPAM holds {string.Join(", ", allocation.Addresses)} but prevResult has {string.Join(", ", addresses.All)}");
            }
        }
        else
        {
            DelegatedIpam.Invoke(request, "CHECK");
        }

        using var podNetNs = OpenPodNetNs(request.NetNs!);
        problems.AddRange(NetNamespace.Run(podNetNs, () =>
        {
            using var pod = RtNetlink.Open();
            return PodInterface.Verify(pod, request.IfName, addresses);
        }));

        using (var node = RtNetlink.Open())
        {
            problems.AddRange(HostVeth.Verify(node, hostVeth, addresses));
        }

        // The pools of a delegated IPAM plugin are its own business; ours we know.
        if (config.IpMasq && config.Ipam.IsBuiltIn)
        {
            problems.AddRange(new MasqueradeRules().Check(config.Name, config.Ipam.Pools, config.MasqueradeExclude));
        }

        if (problems.Count > 0)
        {
            throw new CniException(CniErrorCode.CheckFailed, "CHECK failed: " + problems[0], string.Join("; ", problems));
        }
    }

    public void Status(CniRequest request)
    {
        var config = request.Config;
        if (!config.Ipam.IsBuiltIn)
        {
            DelegatedIpam.Invoke(request, "STATUS");
            return;
        }

        try
        {
            using var store = IpamStore.Open(config.Ipam.DataDir, config.Name, StoreLockTimeout);
            var exhausted = config.Ipam.Pools.Where(pool => store.FreeAddresses(pool) == 0).ToList();
            if (exhausted.Count > 0)
            {
                throw new CniException(CniErrorCode.PluginNotAvailable, "no free addresses left in " + string.Join(", ", exhausted),
                    $"network {config.Name}");
            }
        }
        catch (Exception e) when (e is not CniException)
        {
            throw new CniException(CniErrorCode.PluginNotAvailable, "IPAM store is not usable: " + e.Message, e.ToString());
        }
    }

    public void Gc(CniRequest request, IReadOnlyList<CniAttachment> validAttachments)
    {
        var config = request.Config;
        if (config.DisableGc)
        {
            // The operator asked the runtime's garbage collection to leave this network alone (CNI 1.1 disableGC).
            return;
        }

        var valid = validAttachments.Select(a => (a.ContainerId, a.IfName)).ToHashSet();
        var errors = new List<string>();

        if (config.Ipam.IsBuiltIn)
        {
            // Under the network's store lock throughout, so no ADD or DEL of this network reserves or releases
            // addresses while GC decides what is leaked. A store that cannot be opened still gets its veths swept.
            var swept = false;
            IReadOnlyList<Allocation> released;
            try
            {
                released = WithStore(config, store =>
                {
                    RemoveLeakedVeths(config.Name, valid, errors);
                    swept = true;
                    return store.ReleaseAllExcept(valid);
                });
            }
            catch (CniException) when (!swept)
            {
                RemoveLeakedVeths(config.Name, valid, errors);
                throw;
            }

            foreach (var allocation in released)
            {
                LogGcAllocation(allocation.ContainerId, allocation.IfName, allocation.Addresses);
            }
        }
        else
        {
            RemoveLeakedVeths(config.Name, valid, errors);
            DelegatedIpam.Invoke(request, "GC");
        }

        if (errors.Count > 0)
        {
            throw new CniException(CniErrorCode.IoFailure, "GC could not remove everything", string.Join("; ", errors));
        }
    }

    /// <summary>
    /// Host veths of <paramref name="network"/> (told by their alias) whose attachment is not valid. Removing one also
    /// removes its pod end and its host routes. Failures are collected: GC keeps going past them.
    /// </summary>
    private void RemoveLeakedVeths(string network, HashSet<(string, string)> valid, List<string> errors)
    {
        using var node = RtNetlink.Open();
        foreach (var link in node.ListLinks())
        {
            if (!link.Name.StartsWith(HostVethName.Prefix, StringComparison.Ordinal)
                || !LinkAlias.TryParse(link.Alias, out var owner, out var containerId, out var ifName)
                || owner != network || valid.Contains((containerId, ifName)))
            {
                continue;
            }

            try
            {
                node.DeleteLink(link.Index);
                LogGcVeth(link.Name, containerId, ifName);
            }
            catch (NetlinkException e) when (e.Errno == Errno.ENODEV)
            {
                // Gone in the meantime: that is what we wanted.
            }
            catch (Exception e)
            {
                errors.Add($"deleting {link.Name}: {e.Message}");
            }
        }
    }

    private IpamResult ReserveAddresses(CniRequest request)
    {
        var config = request.Config;
        if (!config.Ipam.IsBuiltIn)
        {
            var delegated = DelegatedIpam.Invoke(request, "ADD")
                ?? throw new CniException(CniErrorCode.IoFailure, $"IPAM plugin {config.Ipam.Type} returned no result", "");
            return IpamResult.From(delegated);
        }

        try
        {
            var allocation = WithStore(config, store => store.Allocate(request.ContainerId, request.IfName, config.Ipam.Pools, request.NetNs));
            return IpamResult.From(allocation, config.Ipam.Pools);
        }
        catch (PoolExhaustedException e)
        {
            throw new CniException(CniErrorCode.PoolExhausted, e.Message, $"network {config.Name}");
        }
    }

    /// <summary>Pool-wide MASQUERADE; a node without a usable nat table is an error, never a pod without egress.</summary>
    private static void EnsureMasquerade(NetworkConfig config, IReadOnlyList<IPNetwork> pools)
    {
        try
        {
            new MasqueradeRules().Ensure(config.Name, pools, config.MasqueradeExclude);
        }
        catch (NatTableUnavailableException e)
        {
            throw new CniException(CniErrorCode.NatUnavailable, e.Message, "set \"ipMasq\": false to run without masquerading");
        }
        catch (IptablesException e)
        {
            throw new CniException(CniErrorCode.NatUnavailable, "installing the MASQUERADE rules failed: " + e.Message, e.ToString());
        }
    }

    private void ReleaseAddresses(CniRequest request)
    {
        var config = request.Config;
        if (!config.Ipam.IsBuiltIn)
        {
            DelegatedIpam.Invoke(request, "DEL");
            return;
        }

        WithStore(config, store => store.Release(request.ContainerId, request.IfName));
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the network's locked IPAM store. A store that cannot be read or written
    /// (corrupt, read-only, full) is code 5 naming the store and the reason; it is never reset or worked around.
    /// </summary>
    private static T WithStore<T>(NetworkConfig config, Func<IpamStore, T> work)
    {
        try
        {
            using var store = IpamStore.Open(config.Ipam.DataDir, config.Name, StoreLockTimeout);
            return work(store);
        }
        catch (IpamStoreCorruptException e)
        {
            throw new CniException(CniErrorCode.IoFailure, e.Message, "fix or remove the file; it is never reset automatically", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LinuxException)
        {
            throw new CniException(CniErrorCode.IoFailure, $"IPAM store in {config.Ipam.DataDir} is not usable: {e.Message}", e.GetType().Name, e);
        }
    }

    /// <summary>The pod's namespace, opened once; a path that is missing or not a network namespace is code 8.</summary>
    private static SafeFd OpenPodNetNs(string path)
    {
        try
        {
            return NetNamespace.Open(path);
        }
        catch (Exception e) when (e is NetNamespaceNotFoundException or NotANetNamespaceException)
        {
            throw new CniException(CniErrorCode.InvalidNetNs, e.Message, $"{CniV6.Plugin.Cni.CniEnvironment.NetNsVariable}={path}", e);
        }
    }

    private void Compensate(CniRequest request, string hostVeth)
    {
        try
        {
            using var node = RtNetlink.Open();
            node.DeleteLinkIfExists(hostVeth);
        }
        catch (Exception e)
        {
            LogCompensationFailed(e, "host veth " + hostVeth);
        }

        try
        {
            ReleaseAddresses(request);
        }
        catch (Exception e)
        {
            LogCompensationFailed(e, "IPAM reservation");
        }
    }

    /// <summary>The addresses a (possibly chained) prevResult gives our pod interface.</summary>
    private static IEnumerable<IPAddress> PodAddressesIn(CniResult result, string ifName) =>
        result.Ips
            .Where(ip => ip.Interface is not int index
                || (index >= 0 && index < result.Interfaces.Count && result.Interfaces[index].Name == ifName
                    && result.Interfaces[index].Sandbox is not null))
            .Select(ip => ip.Address);

    private static CniResult ResultFor(CniRequest request, IpamResult ipam, string hostVeth, byte[] podMac, int mtu)
    {
        // Interface 0 is the node's veth, 1 the pod's: every address and route belongs to the pod interface.
        const int PodInterfaceIndex = 1;
        var hostInterface = new CniInterface(hostVeth, PodGateway.HostMacText, Mtu: mtu);
        var podInterface = new CniInterface(request.IfName, FormatMac(podMac), Sandbox: request.NetNs, Mtu: mtu);
        var ips = ipam.Addresses
            .Select(address => new CniIpConfig(PodAddresses.HostPrefix(address), PodGateway.For(address.AddressFamily), PodInterfaceIndex))
            .ToList();
        var routes = ipam.Addresses
            .Select(address => new CniRoute(DefaultRoute(address.AddressFamily), PodGateway.For(address.AddressFamily)))
            .ToList();
        return new CniResult(request.Config.CniVersion, [hostInterface, podInterface], ips, routes, ipam.Dns);
    }

    private static IPNetwork DefaultRoute(AddressFamily family) =>
        new(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);

    private static string FormatMac(byte[] mac) => string.Join(':', mac.Select(b => b.ToString("x2")));
}
