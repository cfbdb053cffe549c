using CniV6.Core.Pod;
using CniV6.Netlink;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// Pods must not send frames larger than the node can carry: the configured pod MTU (without one the plugin takes the
/// uplink's) and the MTU of existing host veths against the MTU of the interface of the default route and, when an
/// overlay mode runs, of its tunnel devices (<c>cniv6.vx6</c>/<c>cniv6.vx4</c>, whose MTU the agent sets to the
/// uplink's less the encapsulation). Too large means large packets are dropped (IPv6 never fragments in transit):
/// TLS handshakes and big responses hang.
/// </summary>
internal sealed class MtuCheck : IDoctorCheck
{
    /// <summary>The agent's overlay devices are named <c>cniv6.vx6</c> and <c>cniv6.vx4</c>.</summary>
    private const string TunnelPrefix = "cniv6.vx";

    public string Name => "mtu";

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        var veths = context.Node.Links
            .Where(l => l.Kind == "veth" && l.Name.StartsWith(HostVethName.Prefix, StringComparison.Ordinal))
            .ToList();
        var tunnels = context.Node.Links
            .Where(l => l.Kind == "vxlan" && l.Name.StartsWith(TunnelPrefix, StringComparison.Ordinal))
            .ToList();
        return Evaluate(context.Node.Uplink(), context.Config?.Mtu, context.ConfFile?.Path, veths, tunnels);
    }

    internal static IEnumerable<DoctorFinding> Evaluate(
        LinkInfo? uplink, int? configuredMtu, string? confPath, IReadOnlyList<LinkInfo> hostVeths, IReadOnlyList<LinkInfo> tunnels)
    {
        const string check = "mtu";
        if (uplink is null)
        {
            yield return DoctorFinding.Warn(check, "no default route, so no uplink to compare the pod MTU with (see 'default-route')", null);
            yield break;
        }

        // The smallest of the links a pod's packet may leave through.
        var limit = tunnels.Append(uplink).MinBy(l => l.Mtu)!;
        var what = ReferenceEquals(limit, uplink) ? $"uplink {uplink.Name} MTU {uplink.Mtu}" : $"tunnel {limit.Name} MTU {limit.Mtu} (uplink {uplink.Name} {uplink.Mtu} less the encapsulation)";
        var fix = $"set \"mtu\": {limit.Mtu} in {confPath ?? "the cniv6 configuration"} (cniv6-agent: --mtu {limit.Mtu}), then recreate the pods";
        var problem = false;
        if (configuredMtu > limit.Mtu)
        {
            problem = true;
            yield return DoctorFinding.Fail(check, $"configured pod MTU {configuredMtu} > {what}: large packets are dropped", fix);
        }

        var tooLarge = hostVeths.Where(v => v.Mtu > limit.Mtu).ToList();
        if (tooLarge.Count > 0)
        {
            problem = true;
            yield return DoctorFinding.Fail(check,
                $"{tooLarge.Count} pod veth(s) with MTU > {what} ({string.Join(", ", tooLarge.Take(5).Select(v => $"{v.Name} {v.Mtu}"))})",
                fix);
        }

        if (!problem)
        {
            var podMtu = configuredMtu is { } mtu ? mtu.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{uplink.Mtu} (from the uplink)";
            yield return DoctorFinding.Ok(check, $"pod MTU {podMtu} fits {what}");
        }
    }
}
