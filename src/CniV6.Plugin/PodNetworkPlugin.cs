using System.Net;
using CniV6.Core.Config;
using CniV6.Core.Forwarding;
using CniV6.Core.Nat;
using CniV6.Core.Pod;
using CniV6.Linux;
using CniV6.Plugin.Cni;
using CniV6.Plugin.Ipam;
using CniV6.Plugin.Wiring;
using Microsoft.Extensions.Logging;

namespace CniV6.Plugin;

/// <summary>
/// The cniv6 plugin: every CNI command as a recipe. The dispatcher has already validated the environment and
/// the config; what is left here is the order of the steps and what each one undoes when a later one fails.
/// The steps come in through seams composed once in <see cref="Program"/>: address management
/// (<see cref="IIpam"/>), the veth and its routes (<see cref="IPodWiring"/>), forwarding
/// (<see cref="IPacketForwarding"/>) and masquerading (<see cref="IMasqueradeBackend"/>). The plugin owns them for
/// one command and disposes those that hold resources (the wiring's node socket).
/// </summary>
internal sealed partial class PodNetworkPlugin(
    ILogger logger,
    IIpam ipam,
    IPodWiring wiring,
    IPacketForwarding forwarding,
    IMasqueradeBackend masquerade,
    AttachmentLocks attachments) : ICniPlugin, IDisposable
{
    /// <summary>How long ADD or DEL waits for another invocation of the same attachment (then code 11).</summary>
    private static readonly TimeSpan AttachmentLockTimeout = TimeSpan.FromSeconds(60);

    public CniResult Add(CniRequest request)
    {
        var hostVeth = HostVethName.For(request.ContainerId, request.IfName);

        // 0. Refuse what cannot work before anything changes: a CNI_NETNS that is not a network namespace, an
        //    IPv6 pool on a node with IPv6 disabled.
        using var pod = wiring.OpenPod(request.NetNs!);
        NodeIPv6.RequireEnabledFor(ipam.ConfiguredPools);

        //    One invocation per attachment at a time, held until ADD returns: a second ADD of the same attachment
        //    waits and then rewires it (same addresses), instead of undoing the first one's veth; GC sees it in flight.
        using var inFlight = HoldAttachment(request);
        try
        {
            return AddHoldingAttachment(request, pod, hostVeth);
        }
        finally
        {
            DropAttachmentLock(inFlight);
        }
    }

    private CniResult AddHoldingAttachment(CniRequest request, IPodNamespace pod, string hostVeth)
    {
        var config = request.Config;

        //    A retried ADD (the runtime timed out) finds its own earlier veth: remove it and wire afresh.
        //    Its peer inside the pod goes with it, so the pod-side "interface exists" check below only
        //    ever trips over interfaces that are not ours.
        if (wiring.RemoveHostVeth(hostVeth))
        {
            LogStaleVethRemoved(hostVeth);
        }

        // 1. Addresses: reserved before anything is wired, so a crash from here on leaves a reservation that DEL
        //    or GC find and release.
        var reserved = ipam.Reserve(request);
        FaultPoint.Reached(FaultPoint.IpamReserved);
        var addresses = PodAddresses.From(reserved.Addresses);
        try
        {
            // 2. Pod side: the veth pair, labelled for GC at once, the pod's addresses and routes.
            var link = pod.Connect(request.IfName, hostVeth, LinkAlias.For(config.Name, request.ContainerId, request.IfName), addresses, reserved.Pools, config.Mtu);

            // 3. Node side: gateway duties and the /128 + /32 routes down the veth.
            wiring.ConfigureHostSide(hostVeth, addresses);
            FaultPoint.Reached(FaultPoint.HostSideConfigured);

            // 4. Forwarding and pool-wide MASQUERADE: both cheap no-ops once in place.
            forwarding.EnsureEnabled(ipv6: addresses.IPv6 is not null, ipv4: addresses.IPv4 is not null);
            if (config.IpMasq)
            {
                EnsureMasquerade(MasqueradePlan.For(config.Name, reserved.Pools, config.MasqueradeExclude));
            }

            FaultPoint.Reached(FaultPoint.MasqueradeEnsured);

            LogAdded(request.ContainerId, request.IfName, hostVeth, addresses.All);
            return ResultFor(request, reserved, hostVeth, link);
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

            if (failure is AddressInUseException inUse)
            {
                throw new CniException(CniErrorCode.PluginFailure, inUse.Message, "ADD never takes over an address routed to another interface", inUse);
            }

            throw;
        }
    }

    public void Del(CniRequest request)
    {
        var hostVeth = HostVethName.For(request.ContainerId, request.IfName);
        using var inFlight = HoldAttachment(request);
        try
        {
            // Network first, addresses second: an address is never handed out again while a route still points at
            // the old pod. Nothing here needs the pod's namespace, so DEL works when it is already gone.
            // Where the pod has nothing else up, the host end is only taken down (routes and neighbours go with it,
            // the pod loses its carrier) and the pair is left to the namespace's deletion: deleting a device waits
            // for the kernel's rcu_barrier, ~20 ms of a DEL otherwise near 1 ms. GC sweeps a pair whose namespace
            // outlives its attachment.
            if (LeavesTheVethToTheNamespace(request))
            {
                wiring.DisconnectHostVeth(hostVeth);
            }
            else
            {
                wiring.RemoveHostVeth(hostVeth);
            }

            ipam.Release(request);
            LogDeleted(request.ContainerId, request.IfName, hostVeth);
        }
        finally
        {
            DropAttachmentLock(inFlight);
        }
    }

    /// <summary>
    /// True when DEL may leave the veth pair to the namespace: the namespace is there, holds the pod's end and
    /// nothing else that is up. A pod with another attachment (Multus' net1 next to eth0) must lose this interface
    /// for real — a dead one with routes to its pools would swallow that traffic — and without a namespace there
    /// is no one to take the pair away.
    /// </summary>
    private bool LeavesTheVethToTheNamespace(CniRequest request)
    {
        if (string.IsNullOrEmpty(request.NetNs))
        {
            return false;
        }

        try
        {
            using var pod = wiring.TryOpenPod(request.NetNs);
            return pod is not null && pod.IsOnlyLiveInterface(request.IfName);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A question that cannot be answered gets the answer that is always right: delete the pair.
            LogNamespaceUnreadable(e, request.NetNs);
            return false;
        }
    }

    public void Check(CniRequest request)
    {
        var config = request.Config;
        var previous = request.Config.PrevResult
            ?? throw new CniException(CniErrorCode.InvalidNetworkConfig, "CHECK needs prevResult", "the runtime passed no prevResult");
        var addresses = PodAddresses.From(PodAddressesIn(CniResult.Parse(previous), request.IfName));
        var hostVeth = HostVethName.For(request.ContainerId, request.IfName);
        var problems = new List<string>();

        problems.AddRange(ipam.Check(request, addresses.All.ToHashSet()));

        using (var pod = wiring.OpenPod(request.NetNs!))
        {
            problems.AddRange(pod.Verify(request.IfName, addresses));
        }

        problems.AddRange(wiring.VerifyHostSide(hostVeth, addresses));

        // Only pools the configuration names can be checked; a delegated IPAM plugin's are its own business.
        if (config.IpMasq)
        {
            problems.AddRange(masquerade.Check(MasqueradePlan.For(config.Name, ipam.ConfiguredPools, config.MasqueradeExclude)));
        }

        if (problems.Count > 0)
        {
            throw new CniException(CniErrorCode.CheckFailed, "CHECK failed: " + problems[0], string.Join("; ", problems));
        }
    }

    public void Status(CniRequest request) => ipam.Status(request);

    public void Gc(CniRequest request, IReadOnlyList<CniAttachment> validAttachments)
    {
        var config = request.Config;
        if (config.DisableGc)
        {
            // The operator asked the runtime's garbage collection to leave this network alone (CNI 1.1 disableGC).
            return;
        }

        var errors = new List<string>();

        // Veths first (each takes its pod end and host routes with it), then the addresses they held. Under the IPAM
        // store lock, attachments whose ADD or DEL is running are kept whatever the runtime's list says: an ADD holds
        // its attachment lock from before it reserves until it returns, so nothing it set up is reclaimed under it.
        var released = ipam.CollectGarbage(request, () =>
        {
            var keep = validAttachments.Select(a => (a.ContainerId, a.IfName)).ToHashSet();
            keep.UnionWith(attachments.InFlight(config.Name));
            foreach (var veth in wiring.RemoveLeakedHostVeths(config.Name, keep, errors))
            {
                LogGcVeth(veth.Name, veth.ContainerId, veth.IfName);
            }

            return keep;
        });
        foreach (var allocation in released)
        {
            LogGcAllocation(allocation.ContainerId, allocation.IfName, allocation.Addresses);
        }

        if (errors.Count > 0)
        {
            throw new CniException(CniErrorCode.IoFailure, "GC could not remove everything", string.Join("; ", errors));
        }
    }

    public void Dispose()
    {
        (ipam as IDisposable)?.Dispose();
        (wiring as IDisposable)?.Dispose();
        (masquerade as IDisposable)?.Dispose();
    }

    private FileLock HoldAttachment(CniRequest request)
    {
        try
        {
            return attachments.Hold(request.Config.Name, request.ContainerId, request.IfName, AttachmentLockTimeout);
        }
        catch (TimeoutException e)
        {
            throw new CniException(CniErrorCode.TryAgainLater,
                $"another invocation for {request.ContainerId}/{request.IfName} is still running; try again later", e.Message, e);
        }
        catch (IOException e)
        {
            throw new CniException(CniErrorCode.IoFailure, "the attachment lock is not usable: " + e.Message, e.GetType().Name, e);
        }
    }

    /// <summary>Removes the attachment's lock file before releasing it (a waiter then locks a fresh file), so /run does not fill up.</summary>
    private void DropAttachmentLock(FileLock held)
    {
        try
        {
            held.DeleteFile();
        }
        catch (IOException e)
        {
            LogCompensationFailed(e, "attachment lock file " + held.Path);
        }
    }

    /// <summary>Pool-wide MASQUERADE; a node without a usable nat table is an error, never a pod without egress.</summary>
    private void EnsureMasquerade(MasqueradePlan plan)
    {
        try
        {
            masquerade.Ensure(plan);
        }
        catch (NatTableUnavailableException e)
        {
            throw new CniException(CniErrorCode.NatUnavailable, e.Message, "set \"ipMasq\": false to run without masquerading");
        }
        catch (MasqueradeException e)
        {
            throw new CniException(CniErrorCode.NatUnavailable, "installing the MASQUERADE rules failed: " + e.Message, e.ToString());
        }
        catch (TimeoutException e)
        {
            throw new CniException(CniErrorCode.TryAgainLater, "the node's MASQUERADE rules are busy: " + e.Message + "; try again later", e.ToString(), e);
        }
        catch (IOException e)
        {
            throw new CniException(CniErrorCode.IoFailure, "the MASQUERADE lock or marker directory is not usable: " + e.Message, e.ToString(), e);
        }
    }

    private void Compensate(CniRequest request, string hostVeth)
    {
        try
        {
            wiring.RemoveHostVeth(hostVeth);
        }
        catch (Exception e)
        {
            LogCompensationFailed(e, "host veth " + hostVeth);
        }

        try
        {
            ipam.Release(request);
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

    private static CniResult ResultFor(CniRequest request, IpamResult reserved, string hostVeth, PodLink link)
    {
        // Interface 0 is the node's veth, 1 the pod's: every address and route belongs to the pod interface.
        const int PodInterfaceIndex = 1;
        var hostInterface = new CniInterface(hostVeth, PodGateway.HostMacText, Mtu: link.Mtu);
        var podInterface = new CniInterface(request.IfName, FormatMac(link.Mac), Sandbox: request.NetNs, Mtu: link.Mtu);
        var ips = reserved.Addresses
            .Select(address => new CniIpConfig(PodAddresses.HostPrefix(address), PodGateway.For(address.AddressFamily), PodInterfaceIndex))
            .ToList();
        var routes = link.Routes
            .Select(destination => new CniRoute(destination, PodGateway.For(destination.BaseAddress.AddressFamily)))
            .ToList();
        return new CniResult(request.Config.CniVersion, [hostInterface, podInterface], ips, routes, reserved.Dns);
    }

    private static string FormatMac(byte[] mac) => string.Join(':', mac.Select(b => b.ToString("x2")));
}
