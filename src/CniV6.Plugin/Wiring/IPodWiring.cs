using CniV6.Core.Pod;

namespace CniV6.Plugin.Wiring;

/// <summary>
/// The kernel side of a pod attachment as the command recipes see it: the host veth and everything on the node
/// that hangs off it. The steps themselves live in CniV6.Core.Pod; this seam lets the recipes' order and
/// compensation be tested with a fake that records calls.
/// </summary>
internal interface IPodWiring
{
    /// <summary>Opens the pod's network namespace once for the whole command.</summary>
    /// <exception cref="Cni.CniException">Code 8 when <paramref name="netNsPath"/> is missing or not a network namespace.</exception>
    IPodNamespace OpenPod(string netNsPath);

    /// <summary>
    /// Opens the pod's network namespace if <paramref name="netNsPath"/> still names one; null otherwise (DEL, whose
    /// namespace may be gone, only asks).
    /// </summary>
    IPodNamespace? TryOpenPod(string netNsPath);

    /// <summary>
    /// Deletes the host veth; its pod end and its host routes go with it. False when there was none. Waits for the
    /// kernel's teardown of the device (~20 ms).
    /// </summary>
    bool RemoveHostVeth(string hostVeth);

    /// <summary>
    /// Takes the host veth down: its host routes and neighbours go, the pod end loses its carrier; the device pair
    /// stays until the pod's namespace is deleted. No wait for the kernel. False when there was none.
    /// </summary>
    bool DisconnectHostVeth(string hostVeth);

    /// <summary>Gateway duties on the host veth and the /128 + /32 routes down it.</summary>
    void ConfigureHostSide(string hostVeth, PodAddresses addresses);

    /// <summary>What is wrong with the host side (empty when all is in place); changes nothing.</summary>
    IReadOnlyList<string> VerifyHostSide(string hostVeth, PodAddresses addresses);

    /// <summary>
    /// Deletes the host veths of <paramref name="network"/> (told by their alias) whose attachment is not in
    /// <paramref name="valid"/>, keeping going past failures, which it adds to <paramref name="errors"/>.
    /// </summary>
    IReadOnlyList<LeakedHostVeth> RemoveLeakedHostVeths(string network, IReadOnlySet<(string ContainerId, string IfName)> valid, List<string> errors);
}
