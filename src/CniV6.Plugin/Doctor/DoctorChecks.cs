using CniV6.Plugin.Doctor.Checks;

namespace CniV6.Plugin.Doctor;

/// <summary>Every check, in the order the report lists them: the traps that break every pod first.</summary>
internal static class DoctorChecks
{
    public static readonly IReadOnlyList<IDoctorCheck> All =
    [
        new ForwardingCheck(),
        new AcceptRaCheck(),
        new DefaultRouteCheck(),
        new MasqueradeCheck(),
        new IptablesVariantCheck(),
        new ConflistCheck(),
        new PodCidrCheck(),
        new PluginVersionCheck(),
        new IpamCheck(),
        new MtuCheck(),
        new DnsResolverCheck(),
        new DnsPortCheck(),
        new BridgeNetfilterCheck(),
        new RoutingModeCheck(),
    ];

    /// <summary>Runs every check; a check that throws is a failed finding naming the error, and the others still run.</summary>
    public static IReadOnlyList<DoctorFinding> Run(DoctorContext context, IReadOnlyList<IDoctorCheck> checks)
    {
        var findings = new List<DoctorFinding>();
        foreach (var check in checks)
        {
            try
            {
                findings.AddRange(check.Run(context));
            }
            catch (Exception e)
            {
                findings.Add(DoctorFinding.Fail(check.Name, $"the check itself failed: {e.Message}", null));
            }
        }

        return findings;
    }
}
