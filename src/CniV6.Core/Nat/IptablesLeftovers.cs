namespace CniV6.Core.Nat;

/// <summary>
/// A network's masquerade rules still in iptables from an earlier backend choice (or an earlier cniv6 version),
/// found without starting a process where possible: iptables-nft's chains are nf_tables chains that libnftables
/// lists in-process, and iptables-legacy can only hold them when its nat table is loaded in this namespace
/// (<c>/proc/net/ip*_tables_names</c>). Only then do the iptables programs run to remove them.
/// </summary>
internal static class IptablesLeftovers
{
    /// <summary>Removes the iptables rules of <paramref name="network"/>; the caller holds the node's masquerade lock.</summary>
    public static void Remove(string network)
    {
        string chain = IptablesMasqueradeBackend.ChainName(network);
        if (InIptablesNft(chain))
        {
            new IptablesMasqueradeBackend(IptablesVariant.Nft, removeFromOtherBackend: false).RemoveHoldingLock(network);
        }

        if (LegacyNatLoaded())
        {
            new IptablesMasqueradeBackend(IptablesVariant.Legacy, removeFromOtherBackend: false).RemoveHoldingLock(network);
        }
    }

    private static bool InIptablesNft(string chain)
    {
        using Nftables nft = Nftables.Open();
        foreach (string family in (string[])["ip6", "ip"])
        {
            if (nft.Run($"list chain {family} nat {chain}").Succeeded)
            {
                return true;
            }
        }

        return false;
    }

    private static bool LegacyNatLoaded() =>
        ((string[])["/proc/net/ip6_tables_names", "/proc/net/ip_tables_names"]).Any(names =>
        {
            try
            {
                return File.ReadAllLines(names).Contains("nat", StringComparer.Ordinal);
            }
            catch (IOException)
            {
                // No such file: the legacy x_tables module is not loaded, so no legacy rule exists.
                return false;
            }
        });
}
