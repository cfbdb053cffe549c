using CniV6.Core.Pod;
using CniV6.Netlink;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// Pods must not send frames larger than the uplink carries: the configured pod MTU (without one the plugin takes the
/// uplink's) and the MTU of existing host veths against the MTU of the interface of the default route. Too large
/// means large packets are dropped (IPv6 never fragments in transit) — TLS handshakes and big responses hang.
/// </summary>
internal sealed class MtuCheck : IDoctorCheck
{
    public string Name => "mtu";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        var veths = context.Node.Links
            .Where(l => l.Kind == "veth" && l.Name.StartsWith(HostVethName.Prefix, StringComparison.Ordinal))
            .ToList();
        return Evaluate(context.Node.Uplink(), context.Config?.Mtu, context.ConfFile?.Path, veths);
    }

    internal static IEnumerable<DoctorFinding> Evaluate(LinkInfo? uplink, int? configuredMtu, string? confPath, IReadOnlyList<LinkInfo> hostVeths)
    {
        const string check = "mtu";
        if (uplink is null)
        {
            yield return DoctorFinding.Warn(check, "no default route, so no uplink to compare the pod MTU with (see 'default-route')", null);
            yield break;
        }

        var fix = $"set \"mtu\": {uplink.Mtu} in {confPath ?? "the cniv6 configuration"} (cniv6-agent: --mtu {uplink.Mtu}), then recreate the pods";
        var problem = false;
        if (configuredMtu > uplink.Mtu)
        {
            problem = true;
            yield return DoctorFinding.Fail(check, $"configured pod MTU {configuredMtu} > uplink {uplink.Name} MTU {uplink.Mtu}: large packets are dropped", fix);
        }

        var tooLarge = hostVeths.Where(v => v.Mtu > uplink.Mtu).ToList();
        if (tooLarge.Count > 0)
        {
            problem = true;
            yield return DoctorFinding.Fail(check,
                $"{tooLarge.Count} pod veth(s) with MTU > uplink {uplink.Name} MTU {uplink.Mtu} ({string.Join(", ", tooLarge.Take(5).Select(v => $"{v.Name} {v.Mtu}"))})",
                fix);
        }

        if (!problem)
        {
            yield return DoctorFinding.Ok(check,
                $"pod MTU {(configuredMtu is { } mtu ? mtu.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{uplink.Mtu} (from the uplink)")} fits uplink {uplink.Name} MTU {uplink.Mtu}");
        }
    }
}
