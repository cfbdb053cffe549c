using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using CniV6.Core.Config;
using CniV6.Core.Nat;
using CniV6.Core.Pod;
using CniV6.Plugin.Cni;

namespace CniV6.UnitTests.Plugin;

/// <summary>
/// The command recipes of <see cref="CniV6.Plugin.PodNetworkPlugin"/> against recording fakes: the order of the
/// steps and, above all, what a failed ADD undoes and in which order.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PodNetworkPluginTests
{
    private const string ContainerId = "c0ffee";
    private const string NetNs = "/var/run/netns/pod1";
    private static readonly string HostVeth = HostVethName.For(ContainerId, "eth0");

    private readonly RecordedSeams seams = new();

    [Fact]
    public void ADD_reserves_then_wires_pod_and_node_then_forwarding_and_masquerade()
    {
        var result = seams.Plugin().Add(Request(CniCommand.Add));

        Assert.Equal(
            [
                $"wiring.open-pod {NetNs}",
                $"wiring.remove-host-veth {HostVeth}",
                $"ipam.reserve {ContainerId}/eth0",
                $"pod.connect eth0 {HostVeth} 'cniv6 pods {ContainerId} eth0' fd00:10:244::5,10.244.0.5 mtu=node",
                $"wiring.host-side {HostVeth} fd00:10:244::5,10.244.0.5",
                "forwarding.ensure ipv6=True ipv4=True",
                "nat.ensure pods [fd00:10:244::/64 10.244.0.0/24]",
                "pod.close",
            ],
            seams.Calls);
        Assert.Equal([HostVeth, "eth0"], result.Interfaces.Select(i => i.Name));
        Assert.Equal(RecordedSeams.PodMac, result.Interfaces[1].Mac);
        Assert.Equal(["fd00:10:244::5/128 via fe80::ecee:eeff:feee:eeee", "10.244.0.5/32 via 169.254.1.1"], result.Ips.Select(ip => $"{ip.Address}/{ip.PrefixLength} via {ip.Gateway}"));
        Assert.All(result.Ips, ip => Assert.Equal(1, ip.Interface));
    }

    [Fact]
    public void ADD_of_an_IPv6_only_pod_asks_only_for_IPv6_forwarding_and_masquerades_only_its_pool()
    {
        seams.Ipam.Addresses = [IPAddress.Parse("fd00:10:244::7")];
        seams.Ipam.Pools = [IPNetwork.Parse("fd00:10:244::/64")];

        seams.Plugin().Add(Request(CniCommand.Add));

        Assert.Contains("forwarding.ensure ipv6=True ipv4=False", seams.Calls);
        Assert.Contains("nat.ensure pods [fd00:10:244::/64]", seams.Calls);
    }

    [Fact]
    public void ADD_without_ipMasq_installs_no_masquerade()
    {
        seams.Plugin().Add(Request(CniCommand.Add, ipMasq: false));

        Assert.DoesNotContain(seams.Calls, c => c.StartsWith("nat.", StringComparison.Ordinal));
    }

    [Fact]
    public void Reserve_failure_touches_nothing_else()
    {
        seams.FailAt.Add("ipam.reserve");
        seams.FailureFor["ipam.reserve"] = new CniException(CniErrorCode.PoolExhausted, "no free addresses");

        var e = Assert.Throws<CniException>(() => seams.Plugin().Add(Request(CniCommand.Add)));

        Assert.Equal(CniErrorCode.PoolExhausted, e.Code);
        Assert.Equal([$"wiring.open-pod {NetNs}", $"wiring.remove-host-veth {HostVeth}", $"ipam.reserve {ContainerId}/eth0", "pod.close"], seams.Calls);
    }

    [Fact]
    public void A_pod_namespace_that_cannot_be_opened_stops_ADD_before_any_change()
    {
        seams.FailAt.Add("wiring.open-pod");
        seams.FailureFor["wiring.open-pod"] = new CniException(CniErrorCode.InvalidNetNs, "not a network namespace");

        var e = Assert.Throws<CniException>(() => seams.Plugin().Add(Request(CniCommand.Add)));

        Assert.Equal(CniErrorCode.InvalidNetNs, e.Code);
        Assert.Equal([$"wiring.open-pod {NetNs}"], seams.Calls);
    }

    [Fact]
    public void NAT_failure_removes_the_veth_then_releases_the_reservation()
    {
        seams.FailAt.Add("nat.ensure");
        seams.FailureFor["nat.ensure"] = new NatTableUnavailableException(System.Net.Sockets.AddressFamily.InterNetworkV6, "ip6tables-nft-save -t nat", 1, "x");

        var e = Assert.Throws<CniException>(() => seams.Plugin().Add(Request(CniCommand.Add)));

        Assert.Equal(CniErrorCode.NatUnavailable, e.Code);
        Assert.Equal(
            ["nat.ensure pods [fd00:10:244::/64 10.244.0.0/24]", $"wiring.remove-host-veth {HostVeth}", $"ipam.release {ContainerId}/eth0", "pod.close"],
            seams.Calls.SkipWhile(c => !c.StartsWith("nat.", StringComparison.Ordinal)));
        Assert.Equal(["nat.ensure"], seams.Calls.Where(c => c.StartsWith("nat.", StringComparison.Ordinal)).Select(c => c.Split(' ')[0]));
    }

    [Fact]
    public void An_iptables_failure_is_code_NatUnavailable_and_compensated()
    {
        seams.FailAt.Add("nat.ensure");
        seams.FailureFor["nat.ensure"] = new IptablesException("ip6tables-nft-restore --noflush", 4, "line 3 failed");

        var e = Assert.Throws<CniException>(() => seams.Plugin().Add(Request(CniCommand.Add)));

        Assert.Equal(CniErrorCode.NatUnavailable, e.Code);
        Assert.Contains("installing the MASQUERADE rules failed", e.Message, StringComparison.Ordinal);
        Assert.Equal([$"wiring.remove-host-veth {HostVeth}", $"ipam.release {ContainerId}/eth0"], CallsAfter("nat.ensure"));
    }

    [Theory]
    [InlineData("pod.connect")]
    [InlineData("wiring.host-side")]
    [InlineData("forwarding.ensure")]
    public void Any_failure_after_the_reservation_removes_the_veth_then_releases_and_rethrows(string failingStep)
    {
        seams.FailAt.Add(failingStep);

        var e = Assert.Throws<IOException>(() => seams.Plugin().Add(Request(CniCommand.Add)));

        Assert.Contains(failingStep, e.Message, StringComparison.Ordinal);
        Assert.Equal([$"wiring.remove-host-veth {HostVeth}", $"ipam.release {ContainerId}/eth0"], CallsAfter(failingStep));
        Assert.DoesNotContain(seams.Calls, c => c.StartsWith("nat.", StringComparison.Ordinal));
    }

    [Fact]
    public void An_interface_that_already_exists_in_the_pod_is_code_100_and_compensated()
    {
        seams.FailAt.Add("pod.connect");
        seams.FailureFor["pod.connect"] = new InterfaceExistsException("eth0");

        var e = Assert.Throws<CniException>(() => seams.Plugin().Add(Request(CniCommand.Add)));

        Assert.Equal(CniErrorCode.PluginFailure, e.Code);
        Assert.Equal([$"wiring.remove-host-veth {HostVeth}", $"ipam.release {ContainerId}/eth0"], CallsAfter("pod.connect"));
    }

    [Fact]
    public void Compensation_releases_the_reservation_even_when_removing_the_veth_fails()
    {
        seams.FailAt.Add("nat.ensure");
        seams.Wiring.FailRemovalsAfterTheFirst = true;

        // An I/O failure of the masquerade step (its lock or marker directory) is code 5, never 999.
        var e = Assert.Throws<CniException>(() => seams.Plugin().Add(Request(CniCommand.Add)));

        Assert.Equal(CniErrorCode.IoFailure, e.Code);
        Assert.IsType<IOException>(e.InnerException);
        Assert.Equal([$"wiring.remove-host-veth {HostVeth}", $"ipam.release {ContainerId}/eth0"], CallsAfter("nat.ensure"));
    }

    [Fact]
    public void ADD_retried_after_a_timeout_removes_its_own_stale_veth_before_reserving()
    {
        seams.Wiring.StaleVethExists = true;

        seams.Plugin().Add(Request(CniCommand.Add));

        Assert.Equal($"wiring.remove-host-veth {HostVeth}", seams.Calls[1]);
        Assert.Equal($"ipam.reserve {ContainerId}/eth0", seams.Calls[2]);
    }

    [Fact]
    public void DEL_removes_the_veth_before_releasing_the_addresses_and_needs_no_pod_namespace()
    {
        seams.Plugin().Del(Request(CniCommand.Del, netNs: null));

        Assert.Equal([$"wiring.remove-host-veth {HostVeth}", $"ipam.release {ContainerId}/eth0"], seams.Calls);
    }

    [Fact]
    public void DEL_of_the_pods_only_live_interface_takes_the_host_veth_down_and_leaves_the_pair_to_the_namespace()
    {
        seams.Wiring.OnlyLiveInterface = true;

        seams.Plugin().Del(Request(CniCommand.Del));

        Assert.Equal(
            [$"wiring.try-open-pod {NetNs}", "pod.only-live-interface eth0", "pod.close", $"wiring.disconnect-host-veth {HostVeth}", $"ipam.release {ContainerId}/eth0"],
            seams.Calls);
    }

    [Fact]
    public void DEL_of_an_interface_next_to_another_live_one_deletes_the_veth_pair()
    {
        seams.Wiring.OnlyLiveInterface = false;

        seams.Plugin().Del(Request(CniCommand.Del));

        Assert.Equal([$"wiring.remove-host-veth {HostVeth}", $"ipam.release {ContainerId}/eth0"], CallsAfter("pod.close"));
    }

    [Fact]
    public void DEL_whose_namespace_is_gone_deletes_whatever_is_left_of_the_veth()
    {
        seams.Wiring.PodNamespaceGone = true;

        seams.Plugin().Del(Request(CniCommand.Del));

        Assert.Equal([$"wiring.try-open-pod {NetNs}", $"wiring.remove-host-veth {HostVeth}", $"ipam.release {ContainerId}/eth0"], seams.Calls);
    }

    [Fact]
    public void DEL_that_cannot_look_into_the_namespace_deletes_the_veth_pair()
    {
        seams.FailAt.Add("pod.only-live-interface");

        seams.Plugin().Del(Request(CniCommand.Del));

        Assert.Equal([$"wiring.remove-host-veth {HostVeth}", $"ipam.release {ContainerId}/eth0"], CallsAfter("pod.close"));
    }

    [Fact]
    public void DEL_that_cannot_take_the_veth_down_keeps_the_addresses_reserved()
    {
        seams.Wiring.OnlyLiveInterface = true;
        seams.FailAt.Add("wiring.disconnect-host-veth");

        Assert.Throws<IOException>(() => seams.Plugin().Del(Request(CniCommand.Del)));

        Assert.DoesNotContain(seams.Calls, c => c.StartsWith("ipam.release", StringComparison.Ordinal));
    }

    [Fact]
    public void DEL_that_cannot_remove_the_veth_keeps_the_addresses_reserved()
    {
        seams.FailAt.Add("wiring.remove-host-veth");

        Assert.Throws<IOException>(() => seams.Plugin().Del(Request(CniCommand.Del)));

        Assert.DoesNotContain(seams.Calls, c => c.StartsWith("ipam.release", StringComparison.Ordinal));
    }

    [Fact]
    public void CHECK_reports_every_problem_of_ipam_pod_node_and_masquerade_in_one_error()
    {
        seams.Ipam.ConfiguredPools = [IPNetwork.Parse("fd00:10:244::/64")];
        seams.Ipam.CheckProblems.Add("ipam problem");
        seams.Wiring.PodProblems.Add("pod problem");
        seams.Wiring.HostSideProblems.Add("host problem");
        seams.Masquerade.CheckProblems.Add("nat problem");

        var e = Assert.Throws<CniException>(() => seams.Plugin().Check(Request(CniCommand.Check, prevResult: PrevResult)));

        Assert.Equal(CniErrorCode.CheckFailed, e.Code);
        Assert.Equal("ipam problem; pod problem; host problem; nat problem", e.Details);
        Assert.Equal(
            [
                "ipam.check 10.244.0.5,fd00:10:244::5",
                $"wiring.open-pod {NetNs}",
                "pod.verify eth0",
                "pod.close",
                $"wiring.verify-host-side {HostVeth}",
                "nat.check pods [fd00:10:244::/64]",
            ],
            seams.Calls);
    }

    [Fact]
    public void CHECK_with_everything_in_place_succeeds()
    {
        seams.Plugin().Check(Request(CniCommand.Check, prevResult: PrevResult));

        Assert.Contains("nat.check pods []", seams.Calls);
    }

    [Fact]
    public void GC_keeps_an_attachment_whose_ADD_is_in_flight_whatever_the_runtime_says()
    {
        using (seams.Attachments.Hold("pods", "adding", "eth0", TimeSpan.FromSeconds(1)))
        {
            seams.Plugin().Gc(Request(CniCommand.Gc), [new CniAttachment("keep", "eth0")]);
        }

        Assert.Equal(["ipam.gc-begin", "wiring.remove-leaked pods", "ipam.gc-end keep=(adding, eth0),(keep, eth0)"], seams.Calls);
    }

    [Fact]
    public void GC_sweeps_veths_inside_the_ipam_collection_and_honours_disableGC()
    {
        seams.Plugin().Gc(Request(CniCommand.Gc), [new CniAttachment("keep", "eth0")]);
        Assert.Equal(["ipam.gc-begin", "wiring.remove-leaked pods", "ipam.gc-end keep=(keep, eth0)"], seams.Calls);

        seams.Calls.Clear();
        seams.Plugin().Gc(Request(CniCommand.Gc, disableGc: true), []);
        Assert.Empty(seams.Calls);
    }

    [Fact]
    public void STATUS_is_the_ipam_status()
    {
        seams.Plugin().Status(Request(CniCommand.Status));

        Assert.Equal(["ipam.status"], seams.Calls);
    }

    private const string PrevResult =
        """{"cniVersion":"1.1.0","interfaces":[{"name":"cv6x"},{"name":"eth0","sandbox":"/var/run/netns/pod1"}],"ips":[{"address":"fd00:10:244::5/128","interface":1},{"address":"10.244.0.5/32","interface":1}]}""";

    /// <summary>The calls after the first call of <paramref name="step"/>, without the pod namespace closing.</summary>
    private List<string> CallsAfter(string step) =>
        [.. seams.Calls.SkipWhile(c => c.Split(' ')[0] != step).Skip(1).Where(c => c != "pod.close")];

    private static CniRequest Request(string command, string? netNs = NetNs, bool ipMasq = true, bool disableGc = false, string? prevResult = null)
    {
        var config = new NetworkConfig
        {
            Name = "pods",
            CniVersion = "1.1.0",
            Type = "cniv6",
            IpMasq = ipMasq,
            DisableGc = disableGc,
            Ipam = new IpamConfig(),
            PrevResult = prevResult is null ? null : JsonDocument.Parse(prevResult).RootElement.Clone(),
        };
        var isPodCommand = command is not (CniCommand.Gc or CniCommand.Status);
        return new CniRequest(command, isPodCommand ? ContainerId : "", netNs, isPodCommand ? "eth0" : "", [], ["/opt/cni/bin"], config, []);
    }
}
