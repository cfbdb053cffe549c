using System.Net;
using CniV6.Core.Pod;
using CniV6.Linux;
using CniV6.Netlink;
using CniV6.Plugin.Cni;

namespace CniV6.Plugin.Wiring;

/// <summary>
/// <see cref="IPodWiring"/> over our netlink codec, in the plugin's own (the node's) network namespace. One node
/// socket serves the whole command; it is opened on the calling thread, so it stays in the node's namespace even
/// when the pod-side steps use it from the thread that entered the pod's.
/// </summary>
internal sealed class NetlinkPodWiring : IPodWiring, IDisposable
{
    private RtNetlink? _node;

    private RtNetlink Node => _node ??= RtNetlink.Open();

    public IPodNamespace OpenPod(string netNsPath)
    {
        try
        {
            return new PodNamespace(this, NetNamespace.Open(netNsPath));
        }
        catch (Exception e) when (e is NetNamespaceNotFoundException or NotANetNamespaceException)
        {
            throw new CniException(CniErrorCode.InvalidNetNs, e.Message, $"{CniEnvironment.NetNsVariable}={netNsPath}", e);
        }
    }

    public IPodNamespace? TryOpenPod(string netNsPath)
    {
        try
        {
            return new PodNamespace(this, NetNamespace.Open(netNsPath));
        }
        catch (Exception e) when (e is NetNamespaceNotFoundException or NotANetNamespaceException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public bool RemoveHostVeth(string hostVeth) => Node.DeleteLinkIfExists(hostVeth);

    public bool DisconnectHostVeth(string hostVeth) => HostVeth.Disconnect(Node, hostVeth);

    public void ConfigureHostSide(string hostVeth, PodAddresses addresses) => HostVeth.Configure(Node, hostVeth, addresses);

    public IReadOnlyList<string> VerifyHostSide(string hostVeth, PodAddresses addresses) => HostVeth.Verify(Node, hostVeth, addresses);

    public IReadOnlyList<LeakedHostVeth> RemoveLeakedHostVeths(
        string network, IReadOnlySet<(string ContainerId, string IfName)> valid, List<string> errors)
    {
        var removed = new List<LeakedHostVeth>();
        foreach (var link in Node.ListLinks())
        {
            if (!link.Name.StartsWith(HostVethName.Prefix, StringComparison.Ordinal)
                || !LinkAlias.TryParse(link.Alias, out var owner, out var containerId, out var ifName)
                || owner != network || valid.Contains((containerId, ifName)))
            {
                continue;
            }

            try
            {
                Node.DeleteLink(link.Index);
                removed.Add(new LeakedHostVeth(link.Name, containerId, ifName));
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

        return removed;
    }

    public void Dispose()
    {
        _node?.Dispose();
        _node = null;
    }

    private sealed class PodNamespace(NetlinkPodWiring wiring, SafeFd netNs) : IPodNamespace
    {
        public PodLink Connect(string ifName, string hostVeth, string alias, PodAddresses addresses, IReadOnlyList<IPNetwork> pools, int? mtu)
        {
            // Both resolved here, on the calling thread, i.e. in the node's namespace.
            var node = wiring.Node;
            using var nodeNetNs = NetNamespace.OpenCurrent();
            var linkMtu = mtu ?? NodeMtu.Detect(node);

            // Inside the pod's namespace on a thread of its own. The node's socket stays in the node's namespace
            // whichever thread uses it, so the new host veth is labelled at once from in here.
            var (mac, routes) = NetNamespace.Run(netNs, () =>
            {
                using var pod = RtNetlink.Open();
                var link = PodInterface.CreateVeth(pod, ifName, hostVeth, nodeNetNs, linkMtu);
                HostVeth.Label(node, hostVeth, alias);
                FaultPoint.Reached(FaultPoint.VethCreated);
                PodInterface.AssignAddresses(pod, link, addresses);
                FaultPoint.Reached(FaultPoint.PodAddressesAssigned);
                var routed = PodInterface.AddRoutes(pod, link, addresses, pools);
                FaultPoint.Reached(FaultPoint.PodRoutesAdded);
                return (link.Mac, routed);
            });
            return new PodLink(mac, linkMtu, routes);
        }

        public bool IsOnlyLiveInterface(string ifName) =>
            NetNamespace.Run(netNs, () =>
            {
                using var pod = RtNetlink.Open();
                return PodInterface.IsOnlyLiveInterface(pod, ifName);
            });

        public IReadOnlyList<string> Verify(string ifName, PodAddresses addresses) =>
            NetNamespace.Run(netNs, () =>
            {
                using var pod = RtNetlink.Open();
                return PodInterface.Verify(pod, ifName, addresses);
            });

        public void Dispose() => netNs.Dispose();
    }
}
