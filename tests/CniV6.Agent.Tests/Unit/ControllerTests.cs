using System.Net;
using System.Text.Json;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Controllers;
using CniV6.Agent.Dataplane.Routing;
using CniV6.Agent.Health;
using CniV6.Core.NodeState;
using Microsoft.Extensions.Logging.Abstractions;

namespace CniV6.Agent.Tests.Unit;

/// <summary>Each dataplane controller on its own, over fake kernel seams.</summary>
public sealed class ControllerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6r-controllers-").FullName;
    private readonly AgentMetrics _metrics = new();

    private AgentOptions Options(int? mtu = null, string? pluginSource = null, bool ipMasq = true, params string[] referencePluginDirs) => new()
    {
        NodeName = "n1",
        CniConfDir = Path.Combine(_dir, "net.d"),
        CniBinDir = Path.Combine(_dir, "bin"),
        IpamDataDir = Path.Combine(_dir, "ipam"),
        Mtu = mtu,
        PluginSource = pluginSource,
        IpMasq = ipMasq,
        ReferencePluginDirs = referencePluginDirs,
    };

    private string BinDir => Path.Combine(_dir, "bin");

    private string[] ChainedTypes()
    {
        using var conflist = JsonDocument.Parse(File.ReadAllBytes(ConflistPath));
        return [.. conflist.RootElement.GetProperty("plugins").EnumerateArray().Skip(1).Select(p => p.GetProperty("type").GetString()!)];
    }

    /// <summary>A directory holding executable stand-ins for the reference plugins.</summary>
    private string ReferenceDir(params string[] names)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, "reference")).FullName;
        foreach (var name in names)
        {
            File.WriteAllText(Path.Combine(dir, name), $"#!/bin/sh\n# reference {name}\n");
            File.SetUnixFileMode(Path.Combine(dir, name), (UnixFileMode)0b111_101_101);
        }

        return dir;
    }

    private string ConflistPath => Path.Combine(_dir, "net.d", "10-cniv6.conflist");

    private int WrittenMtu()
    {
        using var conflist = JsonDocument.Parse(File.ReadAllBytes(ConflistPath));
        return conflist.RootElement.GetProperty("plugins")[0].GetProperty("mtu").GetInt32();
    }

    [Fact]
    public void Conflist_mtu_is_the_uplinks_less_the_routing_modes_overhead()
    {
        new ConflistController(Options(), new FakeRoutingMode("tunnel", overhead: 70), _metrics, NullLogger<ConflistController>.Instance)
            .Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2)));

        Assert.Equal(1450 - 70, WrittenMtu());
    }

    [Fact]
    public void A_conflist_the_plugin_would_refuse_is_never_written_and_fails_the_sync()
    {
        // A pool the plugin's own parser refuses (a /127 leaves no usable address) reaching the controller.
        var state = TestStates.Cluster(1, 1) with { LocalPools = [IPNetwork.Parse("fd00:10:244:1::/127")] };
        var controller = new ConflistController(Options(), new FakeRoutingMode("hostgw"), _metrics, NullLogger<ConflistController>.Instance);

        var refused = Assert.Throws<InvalidOperationException>(() => controller.Reconcile(Syncs.Of(state)));

        Assert.Contains("the plugin would refuse", refused.Message, StringComparison.Ordinal);
        Assert.Contains("fd00:10:244:1::/127", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(ConflistPath));
    }

    [Fact]
    public void The_node_s_pod_CIDRs_are_recorded_for_doctor_even_when_the_conflist_for_them_is_refused()
    {
        var records = new NodeStateFiles(Path.Combine(_dir, "run"), 7);
        var controller = new ConflistController(Options(), new FakeRoutingMode("hostgw"), _metrics, NullLogger<ConflistController>.Instance, records);
        var good = TestStates.Cluster(1, 1);
        controller.Reconcile(Syncs.Of(good));

        var written = records.ReadNode()!;
        Assert.Equal(("n1", ConflistPath, 60.0), (written.Node, written.Conflist, written.IpamReclaimGraceSeconds));
        Assert.Equal(good.LocalPools.Select(p => p.ToString()), written.PodCidrs);

        // The cluster moved this node to CIDRs the plugin refuses: the last good conflist stays, and the record
        // says what the node's CIDRs now are, so doctor sees the two differ.
        var refused = good with { LocalPools = [IPNetwork.Parse("fd00:10:244:1::/127")] };
        Assert.Throws<InvalidOperationException>(() => controller.Reconcile(Syncs.Of(refused)));
        Assert.Equal(["fd00:10:244:1::/127"], records.ReadNode()!.PodCidrs);
    }

    [Fact]
    public void Conflist_mtu_from_the_configuration_wins_over_the_modes_overhead()
    {
        new ConflistController(Options(mtu: 1400), new FakeRoutingMode("tunnel", overhead: 70), _metrics, NullLogger<ConflistController>.Instance)
            .Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2)));

        Assert.Equal(1400, WrittenMtu());
    }

    [Fact]
    public void Conflist_mtu_falls_back_to_the_link_reaching_the_peers_then_to_1500()
    {
        var controller = new ConflistController(Options(), new FakeRoutingMode("hostgw"), _metrics, NullLogger<ConflistController>.Instance);
        var withoutOwnAddress = ClusterState.Create("n1", TestStates.Node(1).PodCidrs, [TestStates.Node(1) with { InternalAddresses = [] }, TestStates.Node(2)]);

        Assert.Equal(1450, controller.PodMtu(Syncs.Of(withoutOwnAddress)));
        Assert.Equal(1500, controller.PodMtu(new SyncContext(withoutOwnAddress, [], Full: true)));
    }

    [Fact]
    public void Conflist_is_rewritten_only_when_its_content_changes()
    {
        var controller = new ConflistController(Options(), new FakeRoutingMode("hostgw"), _metrics, NullLogger<ConflistController>.Instance);

        controller.Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2)));
        controller.Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2)));
        Assert.Contains("cniv6_agent_conflist_writes_total 1\n", _metrics.Render(), StringComparison.Ordinal);

        controller.Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2, 3)));
        Assert.Contains("cniv6_agent_conflist_writes_total 2\n", _metrics.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Forwarding_is_enabled_for_the_families_of_the_nodes_pools_only()
    {
        var forwarding = new FakeForwarding { Changes = ["net/ipv6/conf/all/forwarding"] };
        var ipv6Only = ClusterState.Create("n1", [IPNetwork.Parse("fd00:10:244:1::/64")], [TestStates.Node(1)]);

        new ForwardingController(forwarding, NullLogger<ForwardingController>.Instance).Reconcile(Syncs.Of(ipv6Only));

        Assert.Equal((true, false), forwarding.Enabled);
    }

    [Fact]
    public void Plugin_is_installed_once_per_process()
    {
        var source = Path.Combine(_dir, "cniv6-build");
        File.WriteAllBytes(source, [1, 2, 3]);
        var controller = new PluginInstallController(Options(pluginSource: source), NullLogger<PluginInstallController>.Instance);

        controller.Reconcile(Syncs.Of(TestStates.Cluster(1, 1)));
        File.WriteAllBytes(source, [4, 5, 6]);
        controller.Reconcile(Syncs.Of(TestStates.Cluster(1, 1)));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(_dir, "bin", "cniv6")));
    }

    [Fact]
    public void A_missing_plugin_source_is_reported_not_fatal()
    {
        var controller = new PluginInstallController(Options(pluginSource: Path.Combine(_dir, "nope")), NullLogger<PluginInstallController>.Instance);

        controller.Reconcile(Syncs.Of(TestStates.Cluster(1, 1)));

        Assert.False(Directory.Exists(Path.Combine(_dir, "bin")));
    }

    [Fact]
    public void Portmap_missing_from_the_bin_dir_with_no_source_is_left_out_of_the_conflist()
    {
        var options = Options(referencePluginDirs: Path.Combine(_dir, "no-such-dir"));
        new PluginInstallController(options, NullLogger<PluginInstallController>.Instance).Reconcile(Syncs.Of(TestStates.Cluster(1, 1)));
        new ConflistController(options, new FakeRoutingMode("hostgw"), _metrics, NullLogger<ConflistController>.Instance).Reconcile(Syncs.Of(TestStates.Cluster(1, 1)));

        Assert.Empty(ChainedTypes());
        Assert.False(File.Exists(Path.Combine(BinDir, "portmap")));
        Assert.False(File.Exists(InstalledPluginsRecord.For(options).Path));
    }

    [Fact]
    public void Missing_reference_plugins_are_installed_from_the_first_dir_that_has_them_recorded_and_portmap_chained()
    {
        var options = Options(referencePluginDirs: [Path.Combine(_dir, "no-such-dir"), ReferenceDir("portmap", "loopback")]);
        var controller = new PluginInstallController(options, NullLogger<PluginInstallController>.Instance);

        controller.Reconcile(Syncs.Of(TestStates.Cluster(1, 1)));
        new ConflistController(options, new FakeRoutingMode("hostgw"), _metrics, NullLogger<ConflistController>.Instance).Reconcile(Syncs.Of(TestStates.Cluster(1, 1)));

        Assert.Equal(["portmap"], ChainedTypes());
        Assert.Equal("#!/bin/sh\n# reference portmap\n", File.ReadAllText(Path.Combine(BinDir, "portmap")));
        Assert.Equal("#!/bin/sh\n# reference loopback\n", File.ReadAllText(Path.Combine(BinDir, "loopback")));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(BinDir, "portmap")));
        Assert.Equal(["portmap", "loopback"], InstalledPluginsRecord.For(options).Read());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(InstalledPluginsRecord.For(options).Path));
    }

    [Fact]
    public void A_reference_plugin_the_node_already_has_is_neither_replaced_nor_recorded()
    {
        Directory.CreateDirectory(BinDir);
        File.WriteAllText(Path.Combine(BinDir, "portmap"), "the node's own");
        File.SetUnixFileMode(Path.Combine(BinDir, "portmap"), (UnixFileMode)0b111_101_101);
        var options = Options(referencePluginDirs: ReferenceDir("portmap", "loopback"));

        new PluginInstallController(options, NullLogger<PluginInstallController>.Instance).Reconcile(Syncs.Of(TestStates.Cluster(1, 1)));
        new ConflistController(options, new FakeRoutingMode("hostgw"), _metrics, NullLogger<ConflistController>.Instance).Reconcile(Syncs.Of(TestStates.Cluster(1, 1)));

        Assert.Equal("the node's own", File.ReadAllText(Path.Combine(BinDir, "portmap")));
        Assert.Equal(["portmap"], ChainedTypes());
        Assert.Equal(["loopback"], InstalledPluginsRecord.For(options).Read());
    }

    [Fact]
    public void Portmap_removed_from_the_bin_dir_leaves_the_chain_until_it_is_back()
    {
        Directory.CreateDirectory(BinDir);
        var portmap = Path.Combine(BinDir, "portmap");
        File.WriteAllText(portmap, "portmap");
        File.SetUnixFileMode(portmap, (UnixFileMode)0b111_101_101);
        var conflist = new ConflistController(Options(), new FakeRoutingMode("hostgw"), _metrics, NullLogger<ConflistController>.Instance);

        conflist.Reconcile(Syncs.Of(TestStates.Cluster(1, 1)));
        var before = ChainedTypes();
        File.Delete(portmap);
        conflist.Reconcile(Syncs.Of(TestStates.Cluster(1, 1)));
        var without = ChainedTypes();
        File.WriteAllText(portmap, "portmap");
        File.SetUnixFileMode(portmap, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        conflist.Reconcile(Syncs.Of(TestStates.Cluster(1, 1)));
        var notExecutable = ChainedTypes();

        Assert.Equal(["portmap"], before);
        Assert.Empty(without);
        Assert.Empty(notExecutable);
    }

    [Fact]
    public void Masquerade_verifies_the_live_rules_only_on_full_passes()
    {
        var masquerade = new FakeMasquerade();
        var controller = new MasqueradeController(Options(), masquerade);

        controller.Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2), full: false));
        controller.Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2, 3), full: false));
        controller.Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2, 3), full: true));

        Assert.Equal([false, false, true], masquerade.Verified);
        Assert.Equal(6, masquerade.Excludes!.Count);
    }

    [Fact]
    public void Masquerade_is_never_touched_when_ip_masq_is_off()
    {
        var masquerade = new FakeMasquerade();

        new MasqueradeController(Options(ipMasq: false), masquerade).Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2), full: true));

        Assert.Equal(0, masquerade.Calls);
    }

    [Fact]
    public void Routing_after_a_mode_change_removes_the_old_modes_state_once_then_records_the_new_mode()
    {
        var record = new RoutingModeRecord(Path.Combine(_dir, "run", "routing-mode"));
        record.Write("old");
        var (old, active) = (new FakeRoutingMode("old"), new FakeRoutingMode("new"));
        var controller = new PodRoutingController(active, name => name == "old" ? old : null, record, NullLogger<PodRoutingController>.Instance);

        controller.Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2)));
        controller.Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2)));

        Assert.Equal(1, old.Removed);
        Assert.Equal(0, old.Reconciled);
        Assert.Equal(2, active.Reconciled);
        Assert.Equal(0, active.Removed);
        Assert.Equal("new", record.Read());
    }

    [Theory]
    [InlineData("hostgw")]
    [InlineData(null)]
    [InlineData("from-a-newer-agent")]
    public void Routing_removes_nothing_without_a_known_other_mode_on_record(string? recorded)
    {
        var record = new RoutingModeRecord(Path.Combine(_dir, "run", "routing-mode"));
        if (recorded is not null)
        {
            record.Write(recorded);
        }

        var active = new FakeRoutingMode("hostgw");
        var created = new List<string>();
        var controller = new PodRoutingController(active, name =>
        {
            created.Add(name);
            return null;
        }, record, NullLogger<PodRoutingController>.Instance);

        controller.Reconcile(Syncs.Of(TestStates.Cluster(1, 1, 2)));

        Assert.Equal(recorded is null or "hostgw" ? [] : [recorded], created);
        Assert.Equal(0, active.Removed);
        Assert.Equal(1, active.Reconciled);
        Assert.Equal("hostgw", record.Read());
    }

    [Fact]
    public void The_routing_mode_record_is_owner_only()
    {
        var record = new RoutingModeRecord(Path.Combine(_dir, "run", "agent", "routing-mode.1"));

        Assert.Null(record.Read());
        record.Write("hostgw");

        Assert.Equal("hostgw", record.Read());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(record.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_dir, "run", "agent")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
