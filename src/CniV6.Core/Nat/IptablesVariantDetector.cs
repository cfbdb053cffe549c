using System.Net.Sockets;

namespace CniV6.Core.Nat;

/// <summary>
/// Chooses between iptables-nft and iptables-legacy the way kube-proxy's iptables-wrapper does: the variant
/// that already holds rules wins (rules in the other one would never see our traffic the same way); with no
/// rules anywhere, the system's <c>iptables</c> alternative decides. A full save without <c>-t</c> only
/// lists tables that exist, so probing never creates a legacy table as a side effect.
/// </summary>
internal static class IptablesVariantDetector
{
    public static IptablesVariant Detect(IIptablesRunner runner)
    {
        int nftRules = CountRules(runner, IptablesVariant.Nft);
        int legacyRules = CountRules(runner, IptablesVariant.Legacy);
        if (nftRules != legacyRules)
        {
            return nftRules > legacyRules ? IptablesVariant.Nft : IptablesVariant.Legacy;
        }

        IptablesResult version = runner.Run("iptables", ["--version"], null);
        if (version.ExitCode == 0)
        {
            // "iptables v1.8.9 (nf_tables)" or "iptables v1.8.9 (legacy)"; before 1.8 there was only legacy.
            return version.StandardOutput.Contains("nf_tables", StringComparison.Ordinal)
                ? IptablesVariant.Nft
                : IptablesVariant.Legacy;
        }

        IptablesResult nftPresent = runner.Run(new IptablesCommands(IptablesVariant.Nft, AddressFamily.InterNetwork).Save, ["--version"], null);
        return nftPresent.ExitCode == IptablesResult.NotFoundExitCode ? IptablesVariant.Legacy : IptablesVariant.Nft;
    }

    private static int CountRules(IIptablesRunner runner, IptablesVariant backend)
    {
        int rules = 0;
        foreach (AddressFamily family in (AddressFamily[])[AddressFamily.InterNetworkV6, AddressFamily.InterNetwork])
        {
            IptablesResult saved = runner.Run(new IptablesCommands(backend, family).Save, [], null);
            if (saved.ExitCode == 0)
            {
                rules += saved.StandardOutput.Split('\n').Count(line => line.StartsWith("-A ", StringComparison.Ordinal));
            }
        }

        return rules;
    }
}
