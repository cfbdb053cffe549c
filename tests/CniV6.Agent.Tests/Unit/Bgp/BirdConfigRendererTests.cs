using System.Net;
using System.Runtime.CompilerServices;
using CniV6.Agent.Cluster;
using CniV6.Agent.Dataplane;
using CniV6.Agent.Dataplane.Routing.Bgp;
using CniV6.Agent.Tests.Infrastructure;

namespace CniV6.Agent.Tests.Unit.Bgp;

/// <summary>
/// The rendered BIRD configuration, compared with golden files and parsed by Debian's BIRD itself (<c>bird -p</c>),
/// so a golden file can never hold a configuration BIRD would refuse. <c>CNIV6_UPDATE_GOLDEN=1</c> rewrites them.
/// </summary>
public sealed class BirdConfigRendererTests
{
    private static readonly IReadOnlyList<LocalPrefix> OneSegment =
    [
        LocalPrefix.Of(2, IPAddress.Parse("fd00:a11::11"), 64, 1500),
        LocalPrefix.Of(2, IPAddress.Parse("10.99.0.11"), 24, 1500),
    ];

    [Fact]
    public void Mesh_dual_stack_on_one_segment_is_direct_ibgp_to_every_node()
    {
        var config = BirdConfigRenderer.Render(TestStates.Cluster(1, 1, 2, 3), OneSegment, new BgpOptions());

        AssertGoldenAndParses("mesh", config);
        Assert.Equal(["mesh4_n2_", "mesh4_n3_", "mesh6_n2_", "mesh6_n3_"],
                     config.Sessions.Select(s => s.Protocol[..^6]).Order(StringComparer.Ordinal));
        Assert.Empty(config.Unroutable);
    }

    [Fact]
    public void Top_of_rack_peers_replace_the_mesh_and_apply_only_to_their_nodes()
    {
        var options = new BgpOptions(Mesh: false, Peers:
        [
            new BgpPeer(IPAddress.Parse("fd00:a11::1"), 65000, Password: "rack-1 secret", Nodes: ["n1", "n2"]),
            new BgpPeer(IPAddress.Parse("10.99.0.1"), 65000, Nodes: ["n1", "n2"]),
            new BgpPeer(IPAddress.Parse("fd00:a11::2"), 65000, Multihop: 2),
            new BgpPeer(IPAddress.Parse("fd00:b22::1"), 65001, Nodes: ["n3"]),
        ]);

        var config = BirdConfigRenderer.Render(TestStates.Cluster(1, 1, 2, 3), OneSegment, options);

        AssertGoldenAndParses("tor-peers", config);
        Assert.All(config.Sessions, s => Assert.Equal("peer", s.Kind));
        Assert.Equal(["10.99.0.1", "fd00:a11::1", "fd00:a11::2"], config.Sessions.Select(s => s.Peer).Order(StringComparer.Ordinal));
        Assert.Contains("password \"rack-1 secret\";", config.Text, StringComparison.Ordinal);
        Assert.Contains("multihop 2;", config.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_route_reflector_reflects_to_every_node_and_passes_on_their_pod_cidrs()
    {
        var config = BirdConfigRenderer.Render(TestStates.Cluster(1, 1, 2, 3), OneSegment, new BgpOptions(Mesh: false, RouteReflector: true));

        AssertGoldenAndParses("route-reflector", config);
        Assert.All(config.Sessions, s => Assert.Equal("rr-client", s.Kind));
        Assert.Equal(4, config.Sessions.Count);
        Assert.Contains("if source = RTS_BGP && net ~ [ fd00:10:244:2::/64, fd00:10:244:3::/64 ] then accept;", config.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv6_only_nodes_on_two_subnets_get_a_hashed_router_id_and_multihop_sessions()
    {
        var state = ClusterState.Create("a1", [IPNetwork.Parse("fd00:10:244:1::/64")],
        [
            new ClusterNode("a1", [IPAddress.Parse("fd00:a::11")], [IPNetwork.Parse("fd00:10:244:1::/64")]),
            new ClusterNode("a2", [IPAddress.Parse("fd00:a::12")], [IPNetwork.Parse("fd00:10:244:2::/64")]),
            new ClusterNode("b1", [IPAddress.Parse("fd00:b::11")], [IPNetwork.Parse("fd00:10:244:3::/64")]),
        ]);

        var config = BirdConfigRenderer.Render(state, [LocalPrefix.Of(2, IPAddress.Parse("fd00:a::11"), 64, 1500)], new BgpOptions(As: 4200000000));

        AssertGoldenAndParses("ipv6-only", config);
        Assert.DoesNotContain("ipv4", config.Text, StringComparison.Ordinal);
        Assert.Contains("local as 4200000000;", config.Text, StringComparison.Ordinal);
        Assert.Contains("multihop;", config.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Dual_stack_with_a_peer_lacking_an_ipv4_address_keeps_its_ipv6_session_and_reports_the_rest()
    {
        var state = ClusterState.Create("n1", TestStates.Node(1).PodCidrs,
        [
            TestStates.Node(1),
            TestStates.Node(2),
            new ClusterNode("v6only", [IPAddress.Parse("fd00:a11::99")], [IPNetwork.Parse("fd00:10:244:9::/64"), IPNetwork.Parse("10.244.9.0/24")]),
        ]);

        var config = BirdConfigRenderer.Render(state, OneSegment, new BgpOptions());

        AssertGoldenAndParses("dual-stack", config);
        Assert.Contains(config.Sessions, s => s.Peer == "v6only" && s.Address.Equals(IPAddress.Parse("fd00:a11::99")));
        Assert.DoesNotContain(config.Sessions, s => s.Peer == "v6only" && s.Protocol.StartsWith("mesh4", StringComparison.Ordinal));
        Assert.Single(config.Unroutable, u => u.StartsWith("v6only: no ipv4 session", StringComparison.Ordinal));
    }

    [Fact]
    public void Exactly_one_side_of_every_mesh_pair_is_passive()
    {
        for (var self = 1; self <= 3; self++)
        {
            for (var other = 1; other <= 3; other++)
            {
                if (self == other)
                {
                    continue;
                }

                var mine = PassiveTowards(self, other);
                var theirs = PassiveTowards(other, self);
                Assert.NotEqual(mine, theirs);
            }
        }

        static bool PassiveTowards(int self, int other)
        {
            var prefixes = new[] { LocalPrefix.Of(2, TestStates.Node(self).InternalAddresses[0], 64, 1500) };
            var text = BirdConfigRenderer.Render(TestStates.Cluster(self, self, other), prefixes, new BgpOptions()).Text;
            var block = text[text.IndexOf($"protocol bgp mesh6_n{other}_", StringComparison.Ordinal)..];
            return block[..block.IndexOf('}', StringComparison.Ordinal)].Contains("passive on;", StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_same_state_renders_the_same_text_and_a_new_peer_keeps_the_old_protocol_names()
    {
        var before = BirdConfigRenderer.Render(TestStates.Cluster(1, 1, 2), OneSegment, new BgpOptions());
        var again = BirdConfigRenderer.Render(TestStates.Cluster(1, 1, 2), OneSegment, new BgpOptions());
        var after = BirdConfigRenderer.Render(TestStates.Cluster(1, 1, 2, 3), OneSegment, new BgpOptions());

        Assert.Equal(before.Text, again.Text);
        Assert.Subset(after.Sessions.Select(s => s.Protocol).ToHashSet(), before.Sessions.Select(s => s.Protocol).ToHashSet());
    }

    [Fact]
    public void Nothing_but_this_nodes_pod_cidrs_is_exported_and_nothing_but_peers_pod_cidrs_imported()
    {
        var text = BirdConfigRenderer.Render(TestStates.Cluster(1, 1, 2, 3), OneSegment, new BgpOptions()).Text;

        Assert.Contains("if proto = \"cniv6_pods6\" && net ~ [ fd00:10:244:1::/64 ] then accept;", text, StringComparison.Ordinal);
        Assert.Contains("if net ~ [ fd00:10:244:2::/64, fd00:10:244:3::/64 ] then accept;", text, StringComparison.Ordinal);
        Assert.Contains("if net ~ [ 10.244.2.0/24, 10.244.3.0/24 ] then accept;", text, StringComparison.Ordinal);
        // Every export and import path ends in a reject: what no rule names never passes.
        foreach (var filter in new[] { "cniv6_export6", "cniv6_import6", "cniv6_export4", "cniv6_import4", "cniv6_reflect6" })
        {
            var block = text[text.IndexOf($"filter {filter} {{", StringComparison.Ordinal)..];
            Assert.EndsWith("reject;\n", block[..(block.IndexOf('}', StringComparison.Ordinal) - 0)], StringComparison.Ordinal);
        }

        Assert.DoesNotContain("fd00:10:244:1::/64 ] then accept; reject; }", text, StringComparison.Ordinal); // own CIDR never to the kernel
    }

    [Fact]
    public void Passwords_that_could_break_out_of_the_quoted_string_are_not_renderable()
    {
        Assert.True(BirdConfigRenderer.IsRenderablePassword("rack-1 secret"));
        Assert.False(BirdConfigRenderer.IsRenderablePassword("a\";} protocol static x { ipv6; route ::/0 blackhole; } #"));
        Assert.False(BirdConfigRenderer.IsRenderablePassword("back\\slash"));
        Assert.False(BirdConfigRenderer.IsRenderablePassword("line\nbreak"));
        Assert.False(BirdConfigRenderer.IsRenderablePassword(""));
    }

    private static void AssertGoldenAndParses(string name, BirdConfig config, [CallerFilePath] string thisFile = "")
    {
        var golden = Path.Combine(Path.GetDirectoryName(thisFile)!, "Golden", name + ".conf");
        if (Environment.GetEnvironmentVariable("CNIV6_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(golden, config.Text);
        }

        Assert.Equal(File.ReadAllText(golden), config.Text);

        var file = Path.Combine(Path.GetTempPath(), $"cniv6-bird-{name}-{Environment.ProcessId}.conf");
        File.WriteAllText(file, config.Text);
        try
        {
            var (exitCode, output, error) = Shell.TryRun(TimeSpan.FromSeconds(30), RequiredFiles.Bird, "-p", "-c", file);
            Assert.True(exitCode == 0, $"bird -p refused {name}.conf: {error}{output}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
