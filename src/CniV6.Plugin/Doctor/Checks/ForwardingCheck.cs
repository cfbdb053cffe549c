using System.Net.Sockets;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// Packet forwarding per family the pools use: with it off, pods reach nothing beyond the node. The IPv6 fix first
/// sets accept_ra=2 on interfaces that take router advertisements (accept_ra=1), because turning forwarding on makes
/// the kernel ignore their RAs and the node would lose its RA-learned default route.
/// </summary>
internal sealed class ForwardingCheck : IDoctorCheck
{
    public string Name => "forwarding";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        foreach (var family in context.Families)
        {
            var key = family == AddressFamily.InterNetworkV6 ? "net/ipv6/conf/all/forwarding" : "net/ipv4/ip_forward";
            var value = DoctorContext.ReadSysctl(key);
            var raInterfaces = family == AddressFamily.InterNetworkV6
                ? context.Node.Links.Select(l => l.Name).Where(n => n != "lo" && DoctorContext.ReadSysctl($"net/ipv6/conf/{n}/accept_ra") == "1").ToList()
                : [];
            yield return Evaluate(family, value, raInterfaces);
        }
    }

    /// <param name="value">The sysctl's value; null when it does not exist (IPv6 disabled).</param>
    /// <param name="acceptRaInterfaces">IPv6 only: interfaces with accept_ra=1 (loopback never hears an RA and is left out).</param>
    internal static DoctorFinding Evaluate(AddressFamily family, string? value, IReadOnlyList<string> acceptRaInterfaces)
    {
        const string check = "forwarding";
        var dotted = family == AddressFamily.InterNetworkV6 ? "net.ipv6.conf.all.forwarding" : "net.ipv4.ip_forward";
        var familyName = DoctorContext.FamilyName(family);
        if (value is null)
        {
            return DoctorFinding.Fail(check, $"{familyName}: {dotted} does not exist (IPv6 disabled in the kernel?)",
                "remove ipv6.disable=1 from the kernel command line and reboot; sysctl -w net.ipv6.conf.all.disable_ipv6=0");
        }

        if (value == "1")
        {
            return DoctorFinding.Ok(check, $"{familyName}: {dotted} = 1");
        }

        var fix = string.Concat(acceptRaInterfaces.Select(n => $"net.ipv6.conf.{n.Replace('.', '/')}.accept_ra=2 "));
        return DoctorFinding.Fail(check, $"{familyName}: {dotted} = {value}: pods cannot reach beyond the node",
            $"sysctl -w {fix}{dotted}=1");
    }
}
