using System.Net.Sockets;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// A default route per family the pools use: without one, pod traffic to anything off the cluster has nowhere to go
/// (the usual IPv6 trap: a node configured for IPv4 whose IPv6 came only from RAs, or never existed).
/// </summary>
internal sealed class DefaultRouteCheck : IDoctorCheck
{
    public string Name => "default-route";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        foreach (var family in context.Families)
        {
            var routes = context.Node.DefaultRoutes(family)
                .Select(r => $"via {r.Gateway?.ToString() ?? "(on-link)"} dev {context.Node.Link(r.OutputIndex)?.Name ?? "#" + r.OutputIndex}")
                .ToList();
            // The uplink the route should use: that of the other family's default route, else the first link up that
            // is neither loopback nor one of our pod veths.
            var other = family == AddressFamily.InterNetworkV6 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
            var uplinkGuess = context.Node.DefaultRoutes(other).Select(r => context.Node.Link(r.OutputIndex)?.Name).FirstOrDefault(n => n is not null)
                ?? context.Node.Links.FirstOrDefault(l => l.IsUp && l.Name != "lo" && !l.Name.StartsWith(Core.Pod.HostVethName.Prefix, StringComparison.Ordinal))?.Name
                ?? "<uplink>";
            yield return Evaluate(family, routes, uplinkGuess);
        }
    }

    internal static DoctorFinding Evaluate(AddressFamily family, IReadOnlyList<string> defaultRoutes, string uplink)
    {
        const string check = "default-route";
        var familyName = DoctorContext.FamilyName(family);
        if (defaultRoutes.Count > 0)
        {
            return DoctorFinding.Ok(check, $"{familyName}: default {string.Join(", ", defaultRoutes)}");
        }

        var fix = family == AddressFamily.InterNetworkV6
            ? $"ip -6 route add default via <router-address> dev {uplink}   # or take it from RAs: sysctl -w net.ipv6.conf.{uplink}.accept_ra=2"
            : $"ip -4 route add default via <router-address> dev {uplink}";
        return DoctorFinding.Fail(check, $"{familyName}: no default route: pods cannot reach anything outside the cluster", fix);
    }
}
