using System.Net.Sockets;
using CniV6.Netlink;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// An IPv6 default route learned from router advertisements only survives forwarding=1 when its interface has
/// accept_ra=2: with accept_ra=1 the kernel stops processing RAs once forwarding is on, the route expires at the end
/// of its lifetime and the node loses IPv6 (containernetworking/plugins#21, calico#6751).
/// </summary>
internal sealed class AcceptRaCheck : IDoctorCheck
{
    public string Name => "accept_ra";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        var forwarding = DoctorContext.ReadSysctl("net/ipv6/conf/all/forwarding") == "1";
        var interfaces = context.Node.DefaultRoutes(AddressFamily.InterNetworkV6)
            .Where(r => r.Protocol == RouteProtocol.RouterAdvertisement)
            .Select(r => context.Node.Link(r.OutputIndex)?.Name)
            .OfType<string>()
            .Distinct()
            .Select(name => (name, DoctorContext.ReadSysctl($"net/ipv6/conf/{name}/accept_ra")))
            .ToList();
        return Evaluate(forwarding, interfaces);
    }

    /// <param name="raDefaultRoutes">Interfaces carrying an RA-learned IPv6 default route, with their accept_ra.</param>
    internal static IEnumerable<DoctorFinding> Evaluate(bool forwarding, IReadOnlyList<(string Interface, string? AcceptRa)> raDefaultRoutes)
    {
        const string check = "accept_ra";
        if (raDefaultRoutes.Count == 0)
        {
            yield return DoctorFinding.Ok(check, "no RA-learned IPv6 default route");
            yield break;
        }

        foreach (var (name, acceptRa) in raDefaultRoutes)
        {
            var fix = $"sysctl -w net.ipv6.conf.{name.Replace('.', '/')}.accept_ra=2";
            if (acceptRa == "2")
            {
                yield return DoctorFinding.Ok(check, $"{name}: RA default route, accept_ra = 2");
            }
            else if (forwarding)
            {
                yield return DoctorFinding.Fail(check,
                    $"{name}: RA default route with accept_ra = {acceptRa ?? "?"} while forwarding is on: RAs are ignored and the route expires",
                    fix);
            }
            else if (acceptRa == "1")
            {
                yield return DoctorFinding.Warn(check,
                    $"{name}: RA default route with accept_ra = 1: turning forwarding on will lose it", fix);
            }
            else
            {
                yield return DoctorFinding.Ok(check, $"{name}: RA default route, accept_ra = {acceptRa ?? "?"}, forwarding off");
            }
        }
    }
}
