using System.Net;
using CniV6.Core.NodeState;
using CniV6.Netlink;
using CniV6.Plugin.Doctor;
using CniV6.Plugin.Doctor.Checks;
using CniV6.Plugin.Doctor.Routing;

namespace CniV6.UnitTests.Doctor;

/// <summary>
/// The checks that compare the node with what cniv6-agent recorded: the conflist's pools against the node's pod CIDRs,
/// and the overlay's tunnel devices and FDB entries; and the records themselves (written, read back, refused when bad).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RoutingAndPodCidrTests : IDisposable
{
    private const string Conf = "/etc/cni/net.d/10-cniv6.conflist";

    private readonly string _dir = Directory.CreateTempSubdirectory("cv6k-records-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static AgentNodeRecord Record(params string[] cidrs) => new("n1", Conf, "cniv6", cidrs, 60);

    [Fact]
    public void Pools_equal_to_the_node_s_pod_CIDRs_are_ok_in_any_order()
    {
        var finding = Assert.Single(PodCidrCheck.Evaluate(Conf, "cniv6", [IPNetwork.Parse("10.244.1.0/24"), IPNetwork.Parse("fd00:10:244:1::/64")],
            Record("fd00:10:244:1::/64", "10.244.1.0/24"), null, "/run/cniv6/agent/node.1.json"));

        Assert.Equal(DoctorStatus.Ok, finding.Status);
        Assert.Equal("pools 10.244.1.0/24, fd00:10:244:1::/64 are node n1's pod CIDRs", finding.Found);
    }

    [Fact]
    public void Pools_other_than_the_node_s_pod_CIDRs_fail_naming_both_sides()
    {
        var finding = Assert.Single(PodCidrCheck.Evaluate(Conf, "cniv6", [IPNetwork.Parse("fd00:10:244:9::/64")],
            Record("fd00:10:244:1::/64"), null, "/run/cniv6/agent/node.1.json"));

        Assert.Equal(DoctorStatus.Fail, finding.Status);
        Assert.Equal($"fd00:10:244:9::/64 in {Conf} but not a pod CIDR of node n1: other nodes route those addresses elsewhere; pod CIDR fd00:10:244:1::/64 of node n1 not in {Conf}", finding.Found);
        Assert.StartsWith($"restart cniv6-agent so it rewrites {Conf} with pools fd00:10:244:1::/64", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_record_or_for_another_conflist_nothing_is_compared_and_an_unreadable_record_warns()
    {
        Assert.Equal(DoctorStatus.Ok, Assert.Single(PodCidrCheck.Evaluate(Conf, "cniv6", [], null, null, "/r")).Status);
        Assert.Contains("not compared", Assert.Single(PodCidrCheck.Evaluate("/other/10-x.conflist", "cniv6", [], Record(), null, "/r")).Found, StringComparison.Ordinal);
        var bad = Assert.Single(PodCidrCheck.Evaluate(Conf, "cniv6", [], null, "/r: bad json", "/r"));
        Assert.Equal(DoctorStatus.Warn, bad.Status);
        Assert.Equal("rm /r and restart cniv6-agent (it writes the record again on its next sync)", bad.Fix);
    }

    [Fact]
    public void Records_round_trip_and_a_record_that_is_no_regular_file_or_no_json_is_unreadable()
    {
        var files = new NodeStateFiles(_dir, 42);
        Assert.Null(files.ReadNode());
        Assert.Null(files.ReadRoutingMode());

        files.WriteNode(Record("fd00:10:244:1::/64"));
        files.WriteOverlay(new OverlayRecord("vxlan", 4096, 4789, [new("cniv6.vx6", "fd00::1", "0e:01:02:03:04:05", 1430)], [new("n2", "cniv6.vx6", "fd00::2", "0e:aa:bb:cc:dd:ee")]));

        Assert.Equal(Path.Combine(_dir, "agent", "node.42.json"), files.NodePath);
        Assert.Equal(["fd00:10:244:1::/64"], files.ReadNode()!.PodCidrs);
        Assert.Equal("n2", Assert.Single(files.ReadOverlay()!.Peers).Node);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.NodePath));

        File.WriteAllText(files.NodePath, "{\"node\":");
        Assert.Throws<InvalidDataException>(files.ReadNode);
        File.Delete(files.OverlayPath);
        Directory.CreateDirectory(files.OverlayPath);
        Assert.Throws<InvalidDataException>(files.ReadOverlay);
    }

    private static readonly OverlayRecord Overlay = new("vxlan", 4096, 4789,
        [new("cniv6.vx6", "fd00:a11::11", "0e:01:02:03:04:05", 1430)],
        [new("n2", "cniv6.vx6", "fd00:a11::12", "0e:aa:bb:cc:dd:ee"), new("n3", "cniv6.vx6", "fd00:b22::13", "0e:11:22:33:44:55")]);

    private static LinkInfo Device(uint vni = 4096, ushort port = 4789, bool up = true, int mtu = 1430) =>
        new(7, "cniv6.vx6", "vxlan", [0x0e, 1, 2, 3, 4, 5], mtu, up, 0, null, Vxlan: new VxlanSettings(vni, IPAddress.Parse("fd00:a11::11"), port));

    private static FdbEntry Fdb(string mac, string destination) =>
        new(7, [.. mac.Split(':').Select(b => Convert.ToByte(b, 16))], IPAddress.Parse(destination), NeighborState.Permanent, Self: true);

    [Fact]
    public void A_tunnel_device_as_recorded_with_every_peer_s_FDB_entry_is_ok()
    {
        var finding = Assert.Single(OverlayHealth.Evaluate("vxlan", Overlay, "/r", _ => Device(),
            _ => [Fdb("0e:aa:bb:cc:dd:ee", "fd00:a11::12"), Fdb("0e:11:22:33:44:55", "fd00:b22::13")]));

        Assert.Equal(DoctorStatus.Ok, finding.Status);
        Assert.Equal("mode vxlan: cniv6.vx6 up, VNI 4096, port 4789, local fd00:a11::11, MTU 1430, FDB entries for 2 peer(s)", finding.Found);
    }

    [Fact]
    public void A_missing_FDB_entry_a_down_device_and_a_wrong_MTU_or_VNI_each_fail_with_their_fix()
    {
        var findings = OverlayHealth.Evaluate("auto", Overlay, "/r", _ => Device(vni: 7, up: false, mtu: 1500),
            _ => [Fdb("0e:aa:bb:cc:dd:ee", "fd00:a11::12"), Fdb("0e:11:22:33:44:55", "fd00:a11::99")]).ToList();

        Assert.All(findings, f => Assert.Equal(DoctorStatus.Fail, f.Status));
        Assert.Equal(
            [
                "mode auto: cniv6.vx6 VNI 7 (want 4096): peers drop what it sends",
                "mode auto: cniv6.vx6 is down",
                "mode auto: cniv6.vx6 MTU 1500 (want 1430: the uplink's less the encapsulation)",
                "mode auto: cniv6.vx6 no FDB entry for peer n3 (0e:11:22:33:44:55 -> fd00:b22::13): its pods are unreachable",
            ],
            findings.Select(f => f.Found));
        Assert.StartsWith("ip link del cniv6.vx6   # cniv6-agent recreates it (VNI 4096, port 4789", findings[0].Fix, StringComparison.Ordinal);
        Assert.Equal("ip link set cniv6.vx6 up", findings[1].Fix);
        Assert.Equal("ip link set cniv6.vx6 mtu 1430", findings[2].Fix);
        Assert.Equal("bridge fdb replace 0e:11:22:33:44:55 dev cniv6.vx6 dst fd00:b22::13 self permanent", findings[3].Fix);
    }

    [Fact]
    public void A_missing_device_fails_naming_the_peers_and_no_device_needed_is_ok()
    {
        var missing = Assert.Single(OverlayHealth.Evaluate("vxlan", Overlay, "/r", _ => null, _ => []));
        Assert.Equal("mode vxlan: tunnel device cniv6.vx6 is missing: pods of n2, n3 are unreachable", missing.Found);

        var direct = Assert.Single(OverlayHealth.Evaluate("auto", Overlay with { Devices = [], Peers = [] }, "/r", _ => null, _ => []));
        Assert.Equal(DoctorStatus.Ok, direct.Status);

        Assert.Equal(DoctorStatus.Warn, Assert.Single(OverlayHealth.Evaluate("vxlan", null, "/r", _ => null, _ => [])).Status);
    }

    [Fact]
    public void Each_routing_mode_has_one_health_check_and_an_unknown_mode_has_none()
    {
        Assert.IsType<HostGatewayHealth>(RoutingModeHealths.For("hostgw", RoutingModeHealths.All));
        Assert.IsType<OverlayHealth>(RoutingModeHealths.For("vxlan", RoutingModeHealths.All));
        Assert.IsType<OverlayHealth>(RoutingModeHealths.For("auto", RoutingModeHealths.All));
        Assert.Null(RoutingModeHealths.For("carrier-pigeon", RoutingModeHealths.All));
        Assert.Equal(RoutingModeHealths.All.Sum(h => h.Modes.Count), RoutingModeHealths.All.SelectMany(h => h.Modes).Distinct().Count());
    }
}
