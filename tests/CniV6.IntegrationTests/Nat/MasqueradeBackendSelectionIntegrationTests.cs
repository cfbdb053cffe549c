using System.Net;
using CniV6.Core.Nat;

namespace CniV6.IntegrationTests.Nat;

/// <summary>
/// Which backend a node gets (MasqueradeBackends), its record, and switching between backends, inside throwaway
/// namespaces (prefix cv6q-) with the real libnftables and iptables programs.
/// </summary>
public sealed class MasqueradeBackendSelectionIntegrationTests : IDisposable
{
    private const string Network = "cv6q-switch";
    private static readonly IPNetwork[] DualStack = [IPNetwork.Parse("fd00:aa::/64"), IPNetwork.Parse("10.244.0.0/24")];

    private readonly NatTestNamespace ns = new(NftablesMasqueradeBackendIntegrationTests.Prefix);
    private readonly string recordDirectory = Directory.CreateTempSubdirectory("cv6q-record-").FullName;

    public void Dispose()
    {
        ns.Dispose();
        Directory.Delete(recordDirectory, recursive: true);
    }

    private static MasqueradePlan Plan => MasqueradePlan.For(Network, DualStack, []);

    [Fact]
    public void Auto_chooses_nftables_where_libnftables_loads_and_records_it_for_later_calls()
    {
        NatBackendRecord record = Record();
        IMasqueradeBackend chosen = ns.Run(() => MasqueradeBackends.ForNode(NatBackendPreference.Auto, record, LibNftables.Library, () => true));

        Assert.IsType<NftablesMasqueradeBackend>(chosen);
        Assert.Equal(NatBackendRecord.Nftables, ns.Run(record.Read));

        // Recorded: the kernel is not asked again.
        IMasqueradeBackend again = ns.Run(() => MasqueradeBackends.ForNode(NatBackendPreference.Auto, record, LibNftables.Library,
            () => throw new InvalidOperationException("detected twice")));
        Assert.IsType<NftablesMasqueradeBackend>(again);
    }

    [Fact]
    public void Auto_falls_back_to_iptables_when_libnftables_cannot_be_loaded()
    {
        NatBackendRecord record = Record();
        IMasqueradeBackend chosen = ns.Run(() => MasqueradeBackends.ForNode(NatBackendPreference.Auto, record, "libnftables-absent.so.1", () => true));

        IptablesMasqueradeBackend iptables = Assert.IsType<IptablesMasqueradeBackend>(chosen);
        Assert.Equal(iptables.Name, ns.Run(record.Read));

        // The fallback works: the rules land in iptables.
        ns.Run(() => chosen.Ensure(Plan));
        Assert.Empty(ns.Run(() => chosen.Check(Plan)));
        Assert.Contains(IptablesMasqueradeBackend.ChainName(Network), ns.Exec("ip6tables-nft-save", "-t", "nat"), StringComparison.Ordinal);
        ns.Run(() => chosen.Remove(Network));
    }

    [Fact]
    public void A_forced_backend_overrides_the_record()
    {
        NatBackendRecord record = Record();
        ns.Run(() => MasqueradeBackends.ForNode(NatBackendPreference.Auto, record, LibNftables.Library, () => true));

        IMasqueradeBackend forced = ns.Run(() => MasqueradeBackends.ForNode(NatBackendPreference.Iptables, record, LibNftables.Library, () => true));

        Assert.IsType<IptablesMasqueradeBackend>(forced);
        Assert.StartsWith("iptables-", ns.Run(record.Read), StringComparison.Ordinal);
    }

    [Fact]
    public void Switching_from_iptables_to_nftables_and_back_leaves_the_rules_in_one_backend_only()
    {
        string iptablesChain = IptablesMasqueradeBackend.ChainName(Network);
        ns.Run(() => new IptablesMasqueradeBackend(IptablesVariant.Nft).Ensure(Plan));
        Assert.Contains(iptablesChain, ns.Exec("iptables-nft-save", "-t", "nat"), StringComparison.Ordinal);

        ns.Run(() => new NftablesMasqueradeBackend().Ensure(Plan));

        Assert.DoesNotContain(iptablesChain, ns.Exec("iptables-nft-save", "-t", "nat"), StringComparison.Ordinal);
        Assert.DoesNotContain(iptablesChain, ns.Exec("ip6tables-nft-save", "-t", "nat"), StringComparison.Ordinal);
        Assert.Empty(ns.Run(() => new NftablesMasqueradeBackend().Check(Plan)));

        ns.Run(() => new IptablesMasqueradeBackend(IptablesVariant.Nft).Ensure(Plan));

        Assert.NotEqual(0, ns.TryExec("nft", "list", "table", "inet", NftablesMasqueradeBackend.Table).ExitCode);
        Assert.Empty(ns.Run(() => new IptablesMasqueradeBackend(IptablesVariant.Nft).Check(Plan)));
        ns.Run(() => new IptablesMasqueradeBackend(IptablesVariant.Nft).Remove(Network));
    }

    private NatBackendRecord Record() => new(recordDirectory, CniV6.Linux.NetNamespace.CurrentCookie);
}
