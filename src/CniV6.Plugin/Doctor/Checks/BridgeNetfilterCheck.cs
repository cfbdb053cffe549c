using System.Net.Sockets;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// When br_netfilter is loaded, bridged traffic goes through ip6tables/iptables only with bridge-nf-call-* = 1;
/// with 0, kube-proxy's Service rules never see traffic between pods on a bridge and Services break for them
/// (kubeadm's preflight asks for 1). The sysctls exist exactly when br_netfilter is loaded (or built in).
/// </summary>
internal sealed class BridgeNetfilterCheck : IDoctorCheck
{
    public string Name => "bridge-nf";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        foreach (var family in context.Families)
        {
            var key = family == AddressFamily.InterNetworkV6 ? "net/bridge/bridge-nf-call-ip6tables" : "net/bridge/bridge-nf-call-iptables";
            yield return Evaluate(key, DoctorContext.ReadSysctl(key));
        }
    }

    internal static DoctorFinding Evaluate(string key, string? value)
    {
        const string check = "bridge-nf";
        var dotted = key.Replace('/', '.');
        return value switch
        {
            null => DoctorFinding.Ok(check, $"br_netfilter not loaded ({dotted} absent)"),
            "1" => DoctorFinding.Ok(check, $"{dotted} = 1"),
            _ => DoctorFinding.Warn(check, $"br_netfilter is loaded but {dotted} = {value}: bridged traffic bypasses kube-proxy's rules",
                $"sysctl -w {dotted}=1 && echo '{dotted} = 1' > /etc/sysctl.d/90-cniv6-bridge.conf"),
        };
    }
}
