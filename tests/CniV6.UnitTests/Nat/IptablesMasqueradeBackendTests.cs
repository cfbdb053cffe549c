using System.Net;
using System.Net.Sockets;
using CniV6.Core.Nat;

namespace CniV6.UnitTests.Nat;

public sealed class IptablesMasqueradeBackendTests : IDisposable
{
    private const string Network = "podnet";
    private const string Chain = "CNIV6-MASQ-3aa0627f";
    private const string Jump = "-m comment --comment \"cniv6 masquerade podnet\" -j " + Chain;
    private static readonly IPNetwork[] DualStack = [IPNetwork.Parse("fd00:10:244::/64"), IPNetwork.Parse("10.244.0.0/24")];
    private static readonly IPNetwork[] Excludes = [IPNetwork.Parse("fd00:10:96::/112")];

    private readonly string markerDirectory = Directory.CreateTempSubdirectory("cv6n-masq-").FullName;
    private readonly FakeNatTables fake = new();
    private ulong inode = 4026531840;
    private uint? generation;

    public void Dispose() => Directory.Delete(markerDirectory, recursive: true);

    [Fact]
    public void Ensure_installs_chain_and_one_jump_in_both_families()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        Dictionary<string, List<string>> v6 = fake.Nat("ip6tables-nft");
        Assert.Equal([Jump], v6["POSTROUTING"]);
        Assert.Equal(
            ["-d fd00:10:244::/64 -j RETURN", "-d fd00:10:96::/112 -j RETURN", "-d fe80::/10 -j RETURN", "-d ff00::/8 -j RETURN", "-s fd00:10:244::/64 -j MASQUERADE"],
            v6[Chain]);
        Dictionary<string, List<string>> v4 = fake.Nat("iptables-nft");
        Assert.Equal([Jump], v4["POSTROUTING"]);
        Assert.Equal(["-d 10.244.0.0/24 -j RETURN", "-d 224.0.0.0/4 -j RETURN", "-s 10.244.0.0/24 -j MASQUERADE"], v4[Chain]);
    }

    [Fact]
    public void Ensure_uses_one_save_and_one_noflush_restore_per_family_then_verifies_with_one_save_each()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        var work = fake.Calls.Where(c => c.Arguments.Length > 0 && c.Arguments[0] != "--version").ToList();
        Assert.Equal(
            [("ip6tables-nft-save", "-t nat"), ("ip6tables-nft-restore", "--noflush --wait=10"), ("iptables-nft-save", "-t nat"), ("iptables-nft-restore", "--noflush --wait=10"),
             ("ip6tables-nft-save", "-t nat"), ("iptables-nft-save", "-t nat")],
            work.Select(c => (c.Program, string.Join(' ', c.Arguments))));
        Assert.StartsWith("*nat\n:" + Chain + " - [0:0]\n", work[1].Input, StringComparison.Ordinal);
        Assert.EndsWith("-A POSTROUTING " + Jump + "\nCOMMIT\n", work[1].Input, StringComparison.Ordinal);
    }

    [Fact]
    public void Second_ensure_finds_the_marker_and_starts_no_process()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        fake.Calls.Clear();

        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        Assert.Empty(fake.Calls);
    }

    [Fact]
    public void A_marker_is_not_trusted_after_the_nat_table_was_flushed()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        // A firewall reload: every rule gone, one nf_tables transaction committed.
        foreach (string tool in new[] { "ip6tables-nft", "iptables-nft" })
        {
            fake.Nat(tool).Remove(Chain);
            fake.Nat(tool)["POSTROUTING"].Clear();
        }

        fake.Generation++;

        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        Assert.Equal([Jump], fake.Nat("ip6tables-nft")["POSTROUTING"]);
        Assert.Contains("-s fd00:10:244::/64 -j MASQUERADE", fake.Nat("ip6tables-nft")[Chain]);
        Assert.Contains("-s 10.244.0.0/24 -j MASQUERADE", fake.Nat("iptables-nft")[Chain]);
    }

    [Fact]
    public void Any_ruleset_change_sends_ensure_to_the_live_rules_once_and_then_the_marker_holds_again()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        fake.Generation += 3; // someone else's rules changed; ours are intact
        fake.Calls.Clear();

        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        Assert.Equal(2, fake.Calls.Count(c => c.Program.EndsWith("-save", StringComparison.Ordinal) && c.Arguments.Length == 2));
        Assert.DoesNotContain(fake.Calls, c => c.Program.EndsWith("-restore", StringComparison.Ordinal));
        fake.Calls.Clear();

        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public void Without_a_generation_no_marker_is_trusted_or_written()
    {
        generation = null;
        IptablesMasqueradeBackend rules = new(fake, markerDirectory, () => inode, () => null);
        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        fake.Calls.Clear();

        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        Assert.Empty(Directory.GetFiles(markerDirectory, "*-" + Chain + "-*"));
        Assert.Equal(2, fake.Calls.Count(c => c.Program.EndsWith("-save", StringComparison.Ordinal) && c.Arguments.Length == 2));
    }

    [Fact]
    public void The_legacy_backend_never_writes_a_marker()
    {
        fake.IptablesVersion = "iptables v1.8.9 (legacy)";

        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        Assert.Empty(Directory.GetFiles(markerDirectory, "*-" + Chain + "-*"));
    }

    [Fact]
    public void A_forged_marker_is_not_trusted()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        string marker = Assert.Single(Directory.GetFiles(markerDirectory, "*-" + Chain + "-*"));
        foreach (string tool in new[] { "ip6tables-nft", "iptables-nft" })
        {
            fake.Nat(tool).Remove(Chain);
            fake.Nat(tool)["POSTROUTING"].Clear();
        }

        // Same name, but not what we wrote: an old-style marker (rules only), as a local user would plant it.
        File.Delete(marker);
        File.WriteAllText(marker, "forged");

        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        Assert.Equal([Jump], fake.Nat("ip6tables-nft")["POSTROUTING"]);
    }

    [Fact]
    public void A_symlink_in_place_of_a_marker_is_neither_trusted_nor_written_through()
    {
        string target = Path.Combine(markerDirectory, "..", Path.GetFileName(markerDirectory) + "-target");
        File.WriteAllText(target, "precious");
        try
        {
            Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
            string written = Assert.Single(Directory.GetFiles(markerDirectory, "*-" + Chain + "-*"));
            File.Delete(written);
            File.CreateSymbolicLink(written, target);
            fake.Generation++;

            Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

            Assert.Equal("precious", File.ReadAllText(target));
            Assert.False(File.GetAttributes(written).HasFlag(FileAttributes.ReparsePoint), "the symlink was not replaced by our own marker");
        }
        finally
        {
            File.Delete(target);
        }
    }

    [Fact]
    public void Marker_is_per_network_namespace()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        fake.Calls.Clear();
        inode++;

        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        Assert.NotEmpty(fake.Calls);
    }

    [Fact]
    public void Forced_ensure_with_everything_in_place_saves_but_does_not_restore()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        fake.Calls.Clear();

        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes), force: true);

        Assert.DoesNotContain(fake.Calls, c => c.Program.EndsWith("-restore", StringComparison.Ordinal));
        Assert.Equal(2, fake.Calls.Count(c => c.Program.EndsWith("-save", StringComparison.Ordinal) && c.Arguments.Length == 2));
    }

    [Fact]
    public void Changed_excludes_miss_the_marker_and_rewrite_the_chain_without_a_second_jump()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        Rules().Ensure(MasqueradePlan.For(Network, DualStack, [IPNetwork.Parse("fd00:10:97::/112")]));

        Dictionary<string, List<string>> v6 = fake.Nat("ip6tables-nft");
        Assert.Equal([Jump], v6["POSTROUTING"]);
        Assert.Contains("-d fd00:10:97::/112 -j RETURN", v6[Chain]);
        Assert.DoesNotContain("-d fd00:10:96::/112 -j RETURN", v6[Chain]);
        Assert.Single(Directory.GetFiles(markerDirectory, "*-" + Chain + "-*"));
    }

    [Fact]
    public void Ensure_repairs_a_tampered_chain_and_removes_duplicate_jumps()
    {
        Dictionary<string, List<string>> v6 = fake.Nat("ip6tables-nft");
        v6[Chain] = ["-s fd00:10:244::/64 -j MASQUERADE"];
        v6["POSTROUTING"].AddRange([Jump, "-j ACCEPT", Jump, "-s fd00::/8 -j " + Chain]);

        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        Assert.Equal(["-j ACCEPT", Jump], v6["POSTROUTING"]);
        Assert.Equal(5, v6[Chain].Count);
    }

    [Fact]
    public void Ensure_leaves_the_chain_alone_when_only_the_jump_is_missing()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        fake.Nat("ip6tables-nft")["POSTROUTING"].Clear();
        fake.Calls.Clear();

        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes), force: true);

        string script = fake.Calls.Single(c => c.Program == "ip6tables-nft-restore").Input!;
        Assert.Equal("*nat\n-A POSTROUTING " + Jump + "\nCOMMIT\n", script);
    }

    [Fact]
    public void IPv6_only_network_touches_only_ip6tables()
    {
        Rules().Ensure(MasqueradePlan.For(Network, [IPNetwork.Parse("fd00:10:244::/64")], [IPNetwork.Parse("10.96.0.0/12")]));

        Assert.DoesNotContain(fake.Calls, c => c.Program.StartsWith("iptables-", StringComparison.Ordinal) && c.Arguments.Length > 0);
        Assert.False(fake.Nat("iptables-nft").ContainsKey(Chain));
        Assert.True(fake.Nat("ip6tables-nft").ContainsKey(Chain));
    }

    [Fact]
    public void Missing_IPv6_nat_table_is_an_error_naming_the_kernel_module_and_writes_no_marker()
    {
        fake.MissingNatTable.Add("ip6tables-nft");

        NatTableUnavailableException e = Assert.Throws<NatTableUnavailableException>(() => Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes)));

        Assert.Equal(AddressFamily.InterNetworkV6, e.Family);
        Assert.Equal("ip6table_nat", e.KernelModule);
        Assert.Contains("ip6table_nat", e.Message, StringComparison.Ordinal);
        Assert.Contains("nf_nat", e.Message, StringComparison.Ordinal);
        Assert.Contains("do you need to insmod", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(markerDirectory, "*-" + Chain + "-*"));
    }

    [Fact]
    public void Failed_restore_carries_stderr_and_writes_no_marker()
    {
        fake.FailRestoreWith = "iptables-restore: line 3 failed\n";

        IptablesException e = Assert.Throws<IptablesException>(() => Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes)));

        Assert.IsNotType<NatTableUnavailableException>(e);
        Assert.Equal(2, e.ExitCode);
        Assert.Contains("line 3 failed", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(markerDirectory, "*-" + Chain + "-*"));
    }

    [Fact]
    public void Remove_deletes_jumps_chains_and_the_marker()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        fake.Nat("ip6tables-nft")["POSTROUTING"].Add("-j ACCEPT");

        Rules().Remove(Network);

        Assert.Equal(["-j ACCEPT"], fake.Nat("ip6tables-nft")["POSTROUTING"]);
        Assert.False(fake.Nat("ip6tables-nft").ContainsKey(Chain));
        Assert.Empty(fake.Nat("iptables-nft")["POSTROUTING"]);
        Assert.False(fake.Nat("iptables-nft").ContainsKey(Chain));
        Assert.Empty(Directory.GetFiles(markerDirectory, "*-" + Chain + "-*"));
    }

    [Fact]
    public void Remove_of_an_absent_network_restores_nothing()
    {
        Rules().Remove(Network);

        Assert.DoesNotContain(fake.Calls, c => c.Program.EndsWith("-restore", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_is_empty_when_all_is_in_place_and_changes_nothing()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        fake.Calls.Clear();

        Assert.Empty(Rules().Check(MasqueradePlan.For(Network, DualStack, Excludes)));
        Assert.DoesNotContain(fake.Calls, c => c.Program.EndsWith("-restore", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_reports_missing_and_unexpected_rules_and_jumps()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        Dictionary<string, List<string>> v6 = fake.Nat("ip6tables-nft");
        v6[Chain].Remove("-d fe80::/10 -j RETURN");
        v6[Chain].Add("-j ACCEPT");
        v6["POSTROUTING"].Add(Jump);
        fake.Nat("iptables-nft")["POSTROUTING"].Clear();

        IReadOnlyList<string> problems = Rules().Check(MasqueradePlan.For(Network, DualStack, Excludes));

        Assert.Equal(
            [
                "ip6tables nat: rule '-A " + Chain + " -d fe80::/10 -j RETURN' is missing",
                "ip6tables nat: unexpected rule '-A " + Chain + " -j ACCEPT'",
                "ip6tables nat: POSTROUTING jump to " + Chain + " appears 2 times",
                "iptables nat: POSTROUTING jump '-A POSTROUTING " + Jump + "' is missing",
            ],
            problems);
    }

    [Fact]
    public void Check_reports_a_missing_chain_reordered_rules_and_an_unavailable_table()
    {
        Rules().Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        fake.Nat("ip6tables-nft")[Chain].Reverse();
        fake.Nat("iptables-nft").Remove(Chain);

        IReadOnlyList<string> problems = Rules().Check(MasqueradePlan.For(Network, DualStack, Excludes));
        Assert.Equal(
            ["ip6tables nat: rules of chain " + Chain + " are out of order", "iptables nat: chain " + Chain + " of network podnet is missing"],
            problems);

        fake.MissingNatTable.Add("ip6tables-nft");
        Assert.Contains("ip6table_nat", Rules().Check(MasqueradePlan.For(Network, DualStack, Excludes))[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_network_name_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => Rules().Ensure(MasqueradePlan.For("bad name\"", DualStack, Excludes)));
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public void Legacy_backend_is_chosen_when_only_legacy_holds_rules()
    {
        fake.FullSaveOutput["iptables-legacy-save"] = "*filter\n-A INPUT -j ACCEPT\n-A FORWARD -j ACCEPT\nCOMMIT\n";
        fake.FullSaveOutput["ip6tables-nft-save"] = "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n";
        IptablesMasqueradeBackend rules = Rules();

        Assert.Equal(IptablesVariant.Legacy, rules.Variant);
        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes));
        Assert.True(fake.Nat("ip6tables-legacy").ContainsKey(Chain));
        Assert.False(fake.Nat("ip6tables-nft").ContainsKey(Chain));
    }

    [Theory]
    [InlineData("iptables v1.8.9 (nf_tables)", IptablesVariant.Nft)]
    [InlineData("iptables v1.8.9 (legacy)", IptablesVariant.Legacy)]
    [InlineData("iptables v1.6.1", IptablesVariant.Legacy)]
    public void Without_rules_anywhere_the_iptables_alternative_decides(string version, IptablesVariant expected)
    {
        fake.IptablesVersion = version;
        Assert.Equal(expected, Rules().Variant);
    }

    [Fact]
    public void Backend_detection_happens_once_per_instance()
    {
        IptablesMasqueradeBackend rules = Rules();
        _ = rules.Variant;
        int calls = fake.Calls.Count;

        _ = rules.Variant;
        rules.Ensure(MasqueradePlan.For(Network, DualStack, Excludes));

        // Two saves and two restores, then one verifying save per family: no detection again.
        Assert.Equal(calls + 6, fake.Calls.Count);
    }

    private IptablesMasqueradeBackend Rules() => new(fake, markerDirectory, () => inode, () => generation ?? fake.Generation);
}
