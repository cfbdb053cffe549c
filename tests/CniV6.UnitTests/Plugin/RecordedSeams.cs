using System.Net;
using System.Runtime.Versioning;
using CniV6.Core.Forwarding;
using CniV6.Core.Ipam;
using CniV6.Core.Nat;
using CniV6.Core.Pod;
using CniV6.Plugin;
using CniV6.Plugin.Cni;
using CniV6.Plugin.Ipam;
using CniV6.Plugin.Wiring;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.UnitTests.Plugin;

/// <summary>
/// Fakes of every seam of <see cref="PodNetworkPlugin"/> writing into one shared call log, so tests can assert the
/// order of steps across seams (like host-local's fake store and skel_test's fake environment). Each fake fails a
/// step when its name is in <see cref="FailAt"/>.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class RecordedSeams
{
    public const string PodMac = "0a:58:0a:f4:00:05";

    public RecordedSeams()
    {
        Ipam = new FakeIpam(this);
        Wiring = new FakePodWiring(this);
        Forwarding = new FakeForwarding(this);
        Masquerade = new FakeMasquerade(this);
    }

    /// <summary>Every seam call in order, e.g. <c>ipam.reserve</c>, <c>wiring.remove-host-veth cv6…</c>.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>Calls that throw (<see cref="FailureFor"/> decides what) instead of doing their work.</summary>
    public HashSet<string> FailAt { get; } = [];

    /// <summary>What a failing call throws; by default an IOException naming the call.</summary>
    public Dictionary<string, Exception> FailureFor { get; } = [];

    public FakeIpam Ipam { get; }

    public FakePodWiring Wiring { get; }

    public FakeForwarding Forwarding { get; }

    public FakeMasquerade Masquerade { get; }

    /// <summary>The attachment locks of this test (a directory under the temp dir, one per instance).</summary>
    public AttachmentLocks Attachments { get; } = new(Path.Combine(Path.GetTempPath(), "cv6p-attachments-" + Guid.NewGuid().ToString("N")));

    public PodNetworkPlugin Plugin() => new(NullLogger.Instance, Ipam, Wiring, Forwarding, Masquerade, Attachments);

    /// <summary>Records <paramref name="call"/> (its first word decides whether it fails).</summary>
    public void Record(string call)
    {
        Calls.Add(call);
        var step = call.Split(' ')[0];
        if (FailAt.Contains(step))
        {
            throw FailureFor.TryGetValue(step, out var failure) ? failure : new IOException($"{step} failed (injected)");
        }
    }

    internal sealed class FakeIpam(RecordedSeams log) : IIpam
    {
        public IReadOnlyList<IPNetwork> ConfiguredPools { get; set; } = [];

        public IReadOnlyList<IPAddress> Addresses { get; set; } = [IPAddress.Parse("fd00:10:244::5"), IPAddress.Parse("10.244.0.5")];

        public IReadOnlyList<IPNetwork> Pools { get; set; } = [IPNetwork.Parse("fd00:10:244::/64"), IPNetwork.Parse("10.244.0.0/24")];

        public List<string> CheckProblems { get; } = [];

        public IReadOnlyList<Allocation> Leaked { get; set; } = [];

        public IpamResult Reserve(CniRequest request)
        {
            log.Record($"ipam.reserve {request.ContainerId}/{request.IfName}");
            return new IpamResult(Addresses, Pools, Dns: null);
        }

        public void Release(CniRequest request) => log.Record($"ipam.release {request.ContainerId}/{request.IfName}");

        public IReadOnlyList<string> Check(CniRequest request, IReadOnlySet<IPAddress> expected)
        {
            log.Record($"ipam.check {string.Join(",", expected.Select(a => a.ToString()).Order(StringComparer.Ordinal))}");
            return CheckProblems;
        }

        public void Status(CniRequest request) => log.Record("ipam.status");

        public IReadOnlyList<Allocation> CollectGarbage(CniRequest request, Func<IReadOnlySet<(string ContainerId, string IfName)>> sweepLinks)
        {
            log.Record("ipam.gc-begin");
            var keep = sweepLinks();
            log.Record($"ipam.gc-end keep={string.Join(",", keep.Order())}");
            return Leaked;
        }
    }

    internal sealed class FakePodWiring(RecordedSeams log) : IPodWiring
    {
        public List<string> HostSideProblems { get; } = [];

        public List<string> PodProblems { get; } = [];

        public List<LeakedHostVeth> Leaked { get; } = [];

        public bool StaleVethExists { get; set; }

        /// <summary>The stale-veth check at the start of ADD works; every later removal fails after recording.</summary>
        public bool FailRemovalsAfterTheFirst { get; set; }

        private int removals;

        public IPodNamespace OpenPod(string netNsPath)
        {
            log.Record($"wiring.open-pod {netNsPath}");
            return new FakePodNamespace(log, this);
        }

        /// <summary>What the pod namespace answers DEL: this attachment's interface is the pod's only live one.</summary>
        public bool OnlyLiveInterface { get; set; }

        /// <summary>DEL finds no pod namespace any more.</summary>
        public bool PodNamespaceGone { get; set; }

        public IPodNamespace? TryOpenPod(string netNsPath)
        {
            log.Record($"wiring.try-open-pod {netNsPath}");
            return PodNamespaceGone ? null : new FakePodNamespace(log, this);
        }

        public bool DisconnectHostVeth(string hostVeth)
        {
            log.Record($"wiring.disconnect-host-veth {hostVeth}");
            return true;
        }

        public bool RemoveHostVeth(string hostVeth)
        {
            log.Record($"wiring.remove-host-veth {hostVeth}");
            if (FailRemovalsAfterTheFirst && ++removals > 1)
            {
                throw new IOException("removing the host veth failed (injected)");
            }

            var existed = StaleVethExists;
            StaleVethExists = false;
            return existed;
        }

        public void ConfigureHostSide(string hostVeth, PodAddresses addresses) =>
            log.Record($"wiring.host-side {hostVeth} {string.Join(",", addresses.All)}");

        public IReadOnlyList<string> VerifyHostSide(string hostVeth, PodAddresses addresses)
        {
            log.Record($"wiring.verify-host-side {hostVeth}");
            return HostSideProblems;
        }

        public IReadOnlyList<LeakedHostVeth> RemoveLeakedHostVeths(string network, IReadOnlySet<(string ContainerId, string IfName)> valid, List<string> errors)
        {
            log.Record($"wiring.remove-leaked {network}");
            return Leaked;
        }
    }

    internal sealed class FakePodNamespace(RecordedSeams log, FakePodWiring wiring) : IPodNamespace
    {
        public PodLink Connect(string ifName, string hostVeth, string alias, PodAddresses addresses, IReadOnlyList<IPNetwork> pools, int? mtu)
        {
            log.Record($"pod.connect {ifName} {hostVeth} '{alias}' {string.Join(",", addresses.All)} mtu={mtu?.ToString() ?? "node"}");
            IReadOnlyList<IPNetwork> routes = [.. addresses.All.Select(a => new IPNetwork(a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0))];
            return new PodLink(PodMac.Split(':').Select(b => Convert.ToByte(b, 16)).ToArray(), mtu ?? 1500, routes);
        }

        public bool IsOnlyLiveInterface(string ifName)
        {
            log.Record($"pod.only-live-interface {ifName}");
            return wiring.OnlyLiveInterface;
        }

        public IReadOnlyList<string> Verify(string ifName, PodAddresses addresses)
        {
            log.Record($"pod.verify {ifName}");
            return wiring.PodProblems;
        }

        public void Dispose() => log.Calls.Add("pod.close");
    }

    internal sealed class FakeForwarding(RecordedSeams log) : IPacketForwarding
    {
        public IReadOnlyList<string> EnsureEnabled(bool ipv6, bool ipv4)
        {
            log.Record($"forwarding.ensure ipv6={ipv6} ipv4={ipv4}");
            return [];
        }
    }

    internal sealed class FakeMasquerade(RecordedSeams log) : IMasqueradeBackend
    {
        public List<string> CheckProblems { get; } = [];

        public string Name => "fake";

        public void Ensure(MasqueradePlan plan, bool force = false) => log.Record($"nat.ensure {Describe(plan)}");

        public IReadOnlyList<string> Check(MasqueradePlan plan)
        {
            log.Record($"nat.check {Describe(plan)}");
            return CheckProblems;
        }

        public void Remove(string network) => log.Record($"nat.remove {network}");

        private static string Describe(MasqueradePlan plan) =>
            $"{plan.Network} [{string.Join(" ", plan.Families.SelectMany(f => f.Sources))}]";
    }
}
