namespace CniV6.Core.Nat;

/// <summary>
/// Installs a <see cref="MasqueradePlan"/> in the node's packet filter (the network namespace of the calling
/// thread). Today's implementation is <see cref="IptablesMasqueradeBackend"/>; which one a node uses is decided once,
/// in <see cref="MasqueradeBackends"/>. Failures are <see cref="MasqueradeException"/>s;
/// <see cref="NatTableUnavailableException"/> when the kernel cannot masquerade a family at all.
/// </summary>
public interface IMasqueradeBackend
{
    /// <summary>A short name for logs and diagnostics, e.g. <c>iptables-nft</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Makes the installed rules match <paramref name="plan"/>; cheap when they already do. A backend may trust a
    /// record of its own last installation; <paramref name="force"/> makes it compare with the live rules instead.
    /// </summary>
    void Ensure(MasqueradePlan plan, bool force = false);

    /// <summary>What differs between the live rules and <paramref name="plan"/> (empty when all is in place); changes nothing.</summary>
    IReadOnlyList<string> Check(MasqueradePlan plan);

    /// <summary>Removes everything installed for <paramref name="network"/>, in every family; nothing there is fine.</summary>
    void Remove(string network);
}
