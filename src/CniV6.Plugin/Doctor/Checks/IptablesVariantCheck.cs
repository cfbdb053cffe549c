using System.Net.Sockets;
using CniV6.Core.Nat;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// Which iptables holds the rules: cniv6 writes to the variant that already has rules (kube-proxy's
/// iptables-wrapper rule), so its chains and kube-proxy's <c>KUBE-*</c> chains should be in the same one. When they
/// are split between iptables-nft and iptables-legacy, each tool shows half of the node's NAT and the two rule sets
/// are evaluated in an order neither controls.
/// </summary>
internal sealed class IptablesVariantCheck : IDoctorCheck
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);

    public string Name => "iptables";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        var runner = new ProcessIptablesRunner(CommandTimeout);
        var ours = IptablesVariantDetector.Detect(runner);
        yield return Evaluate(ours, KubeChains(runner, IptablesVariant.Nft), KubeChains(runner, IptablesVariant.Legacy));
    }

    internal static DoctorFinding Evaluate(IptablesVariant ours, int kubeNft, int kubeLegacy)
    {
        const string check = "iptables";
        var oursName = NameOf(ours);
        var kubeIn = (kubeNft > 0, kubeLegacy > 0) switch
        {
            (true, true) => "both",
            (true, false) => NameOf(IptablesVariant.Nft),
            (false, true) => NameOf(IptablesVariant.Legacy),
            _ => null,
        };
        if (kubeIn is null)
        {
            return DoctorFinding.Ok(check, $"cniv6 uses {oursName}; no kube-proxy chains (KUBE-*) on this node");
        }

        var kubeInOurs = ours == IptablesVariant.Nft ? kubeNft > 0 : kubeLegacy > 0;
        if (kubeIn != "both" && kubeInOurs)
        {
            return DoctorFinding.Ok(check, $"cniv6 and kube-proxy both use {oursName}");
        }

        var other = ours == IptablesVariant.Nft ? IptablesVariant.Legacy : IptablesVariant.Nft;
        return DoctorFinding.Warn(check,
            kubeIn == "both"
                ? $"kube-proxy chains (KUBE-*) are in both iptables-nft and iptables-legacy; cniv6 uses {oursName}"
                : $"cniv6's rules are in {oursName} but kube-proxy's chains (KUBE-*) are in {kubeIn}",
            $"run kube-proxy with the same iptables as the node (its image's iptables-wrapper picks the one with rules), then remove the stale {NameOf(kubeIn == "both" ? other : ours)} rules (e.g. {NameOf(kubeIn == "both" ? other : ours)}-save shows them) and restart cniv6-agent");
    }

    private static string NameOf(IptablesVariant variant) => variant == IptablesVariant.Nft ? "iptables-nft" : "iptables-legacy";

    private static int KubeChains(IIptablesRunner runner, IptablesVariant variant)
    {
        var chains = 0;
        foreach (var family in (AddressFamily[])[AddressFamily.InterNetworkV6, AddressFamily.InterNetwork])
        {
            var saved = runner.Run(new IptablesCommands(variant, family).Save, [], null);
            if (saved.ExitCode == 0)
            {
                chains += saved.StandardOutput.Split('\n').Count(line => line.StartsWith(":KUBE-", StringComparison.Ordinal));
            }
        }

        return chains;
    }
}
