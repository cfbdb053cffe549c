using CniV6.Netlink;

namespace CniV6.Core.Nat;

/// <summary>
/// The one place that decides how this node masquerades, shared by the plugin and the agent so both write the same
/// rules to the same place. Automatic: nftables (in-process, our own table) where the kernel has nf_tables and
/// libnftables is installed, iptables otherwise; an operator may force either. The decision is detected once per
/// node (per network namespace) and recorded (<see cref="NatBackendRecord"/>); later calls read the record and only
/// check that it still holds (a recorded nftables needs libnftables; a recorded iptables is revisited when
/// libnftables has appeared since). Switching backends migrates: whichever backend installs a network next removes
/// that network's rules from the other.
/// </summary>
public static class MasqueradeBackends
{
    /// <summary>The backend for the node, in the network namespace of the calling thread.</summary>
    public static IMasqueradeBackend ForNode(NatBackendPreference preference = NatBackendPreference.Auto) =>
        ForNode(preference, NatBackendRecord.Default, LibNftables.Library, static () => NfTablesGeneration.Read() is not null);

    /// <summary>The name the node's backend goes by, as <see cref="ForNode(NatBackendPreference)"/> would choose it.</summary>
    public static string NameForNode(NatBackendPreference preference = NatBackendPreference.Auto) =>
        Choose(preference, NatBackendRecord.Default, LibNftables.Library, static () => NfTablesGeneration.Read() is not null);

    /// <param name="library">The libnftables to probe (tests name a missing one to simulate a node without it).</param>
    /// <param name="kernelHasNfTables">Whether the kernel answers nf_tables requests in this namespace.</param>
    internal static IMasqueradeBackend ForNode(NatBackendPreference preference, NatBackendRecord record, string library, Func<bool> kernelHasNfTables) =>
        Choose(preference, record, library, kernelHasNfTables) switch
        {
            NatBackendRecord.Nftables => new NftablesMasqueradeBackend(),
            NatBackendRecord.IptablesLegacy => new IptablesMasqueradeBackend(IptablesVariant.Legacy),
            _ => new IptablesMasqueradeBackend(IptablesVariant.Nft),
        };

    internal static string Choose(NatBackendPreference preference, NatBackendRecord record, string library, Func<bool> kernelHasNfTables)
    {
        string? recorded = record.Read();
        bool recordedNftables = recorded == NatBackendRecord.Nftables;
        bool recordedIptables = recorded is NatBackendRecord.IptablesNft or NatBackendRecord.IptablesLegacy;
        string chosen;
        switch (preference)
        {
            case NatBackendPreference.Nftables:
                // Forced: used even where it cannot work, so the operator sees why instead of a silent fallback.
                chosen = NatBackendRecord.Nftables;
                break;
            case NatBackendPreference.Iptables:
                chosen = recordedIptables ? recorded! : DetectIptables();
                break;
            default:
                if (recordedNftables && LibNftables.IsAvailable(library))
                {
                    return recorded!;
                }

                bool nftablesUsable = LibNftables.IsAvailable(library) && kernelHasNfTables();
                if (recordedIptables && !nftablesUsable)
                {
                    return recorded!;
                }

                chosen = nftablesUsable ? NatBackendRecord.Nftables : DetectIptables();
                break;
        }

        if (chosen != recorded)
        {
            record.Write(chosen);
        }

        return chosen;
    }

    private static string DetectIptables() =>
        IptablesVariantDetector.Detect(new ProcessIptablesRunner(TimeSpan.FromSeconds(30))) == IptablesVariant.Legacy
            ? NatBackendRecord.IptablesLegacy
            : NatBackendRecord.IptablesNft;
}
