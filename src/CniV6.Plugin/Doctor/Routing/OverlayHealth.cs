using System.Globalization;
using System.Net;
using CniV6.Core.NodeState;
using CniV6.Netlink;

namespace CniV6.Plugin.Doctor.Routing;

/// <summary>
/// <c>vxlan</c> and <c>auto</c>: every tunnel device the agent recorded installing (<see cref="OverlayRecord"/>) is
/// there as a vxlan device with the recorded VNI, UDP port and local address, up, with the recorded MTU, and holds
/// the FDB entry of every tunnelled peer (its tunnel MAC → its node address). A missing entry or a device that is
/// down silently drops every packet to those peers' pods.
/// </summary>
internal sealed class OverlayHealth : IRoutingModeHealth
{
    public IReadOnlyList<string> Modes { get; } = ["vxlan", "auto"];

    public IEnumerable<DoctorFinding> Check(string mode, DoctorContext context)
    {
        OverlayRecord? record;
        try
        {
            record = context.NodeState.ReadOverlay();
        }
        catch (InvalidDataException e)
        {
            return [DoctorFinding.Warn(Checks.RoutingModeCheck.CheckName, $"mode {mode}: the overlay record is unreadable: {e.Message}",
                $"rm {Cli.ShellQuote.Quote(context.NodeState.OverlayPath)} and restart cniv6-agent")];
        }

        return Evaluate(mode, record, context.NodeState.OverlayPath, name => context.Node.Links.FirstOrDefault(l => l.Name == name), ReadFdb);
    }

    internal static IEnumerable<DoctorFinding> Evaluate(string mode, OverlayRecord? record, string recordPath,
                                                        Func<string, LinkInfo?> link, Func<int, IReadOnlyList<FdbEntry>> fdb)
    {
        const string check = Checks.RoutingModeCheck.CheckName;
        if (record is null)
        {
            yield return DoctorFinding.Warn(check, $"mode {mode}, but cniv6-agent recorded no overlay state ({recordPath}): it has not completed a sync",
                "journalctl -u cniv6-agent   # or kubectl -n kube-system logs ds/cniv6-agent: why does the sync fail?");
            yield break;
        }

        if (record.Devices.Count == 0)
        {
            yield return DoctorFinding.Ok(check, $"mode {mode}: every peer reached directly, no tunnel device needed");
            yield break;
        }

        foreach (var device in record.Devices)
        {
            var peers = record.Peers.Where(p => p.Device == device.Name).ToList();
            var problems = new List<(string Found, string Fix)>();
            var recreate = $"ip link del {device.Name}   # cniv6-agent recreates it (VNI {record.Vni}, port {record.Port}, local {device.Local}, MTU {device.Mtu}) on its next sync";
            var actual = link(device.Name);
            if (actual is null || actual.Kind != "vxlan" || actual.Vxlan is null)
            {
                var what = actual is null ? "is missing" : $"is a {actual.Kind ?? "plain"} device, not vxlan";
                yield return DoctorFinding.Fail(check, $"mode {mode}: tunnel device {device.Name} {what}: pods of {PeerNames(peers)} are unreachable",
                    actual is null ? "restart cniv6-agent (it creates the device on its next sync)" : recreate);
                continue;
            }

            var settings = actual.Vxlan;
            var wrong = new List<string>();
            if (settings.Vni != record.Vni)
            {
                wrong.Add($"VNI {settings.Vni} (want {record.Vni})");
            }

            if (settings.Port != record.Port)
            {
                wrong.Add($"port {settings.Port} (want {record.Port})");
            }

            if (!IPAddress.TryParse(device.Local, out var local) || !local.Equals(settings.Local))
            {
                wrong.Add($"local {settings.Local?.ToString() ?? "none"} (want {device.Local})");
            }

            if (wrong.Count > 0)
            {
                problems.Add(($"{string.Join(", ", wrong)}: peers drop what it sends", recreate));
            }

            if (!actual.IsUp)
            {
                problems.Add(("is down", $"ip link set {device.Name} up"));
            }

            if (actual.Mtu != device.Mtu)
            {
                problems.Add(($"MTU {actual.Mtu} (want {device.Mtu}: the uplink's less the encapsulation)", $"ip link set {device.Name} mtu {device.Mtu}"));
            }

            var entries = fdb(actual.Index);
            foreach (var peer in peers)
            {
                var present = IPAddress.TryParse(peer.Address, out var destination)
                              && entries.Any(e => destination.Equals(e.Destination) && FormatMac(e.Mac) == peer.Mac);
                if (!present)
                {
                    problems.Add(($"no FDB entry for peer {peer.Node} ({peer.Mac} -> {peer.Address}): its pods are unreachable",
                        $"bridge fdb replace {peer.Mac} dev {device.Name} dst {peer.Address} self permanent"));
                }
            }

            foreach (var (found, fix) in problems)
            {
                yield return DoctorFinding.Fail(check, $"mode {mode}: {device.Name} {found}", fix);
            }

            if (problems.Count == 0)
            {
                yield return DoctorFinding.Ok(check,
                    $"mode {mode}: {device.Name} up, VNI {record.Vni}, port {record.Port}, local {device.Local}, MTU {device.Mtu}, FDB entries for {peers.Count} peer(s)");
            }
        }
    }

    internal static string FormatMac(ReadOnlySpan<byte> mac) =>
        string.Join(':', mac.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    private static string PeerNames(IReadOnlyList<OverlayPeerRecord> peers) =>
        peers.Count == 0 ? "no peer" : string.Join(", ", peers.Select(p => p.Node));

    private static IReadOnlyList<FdbEntry> ReadFdb(int index)
    {
        using var rt = RtNetlink.Open();
        return rt.ListFdbEntries(index);
    }
}
