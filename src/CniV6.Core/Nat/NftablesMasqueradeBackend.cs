using CniV6.Linux;

namespace CniV6.Core.Nat;

/// <summary>
/// The nftables implementation of <see cref="IMasqueradeBackend"/>, in-process through libnftables: one table of
/// ours, <c>table inet cniv6</c>, holding one base chain per network (<see cref="NftablesMasqueradeChain"/>) for
/// both families. Every Ensure and Check lists the live table (a fraction of a millisecond, no process), so a
/// flushed ruleset is noticed by the next CHECK and put back by the next ADD; a chain that differs is replaced whole
/// in one transaction. Nothing outside our table is ever written, except that a network's rules left in iptables by
/// an earlier backend choice are removed when this backend installs the network (no double MASQUERADE).
/// </summary>
public sealed class NftablesMasqueradeBackend : IMasqueradeBackend
{
    /// <summary>Our table; holds only our chains. The agent's VXLAN firewall has its own (cniv6_vxlan).</summary>
    public const string Table = "cniv6";

    private const string LockFileName = "lock";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);

    private readonly string _lockDirectory;
    private readonly Action<string>? _removeFromIptables;

    /// <summary>Rules in the network namespace of the calling thread; shares the iptables backend's node lock.</summary>
    public NftablesMasqueradeBackend()
        : this(IptablesMasqueradeBackend.DefaultMarkerDirectory, IptablesLeftovers.Remove)
    {
    }

    /// <param name="lockDirectory">Where the node-wide masquerade lock lives (the same one for every backend).</param>
    /// <param name="removeFromIptables">Removes a network's iptables rules (migration); null leaves iptables alone.</param>
    internal NftablesMasqueradeBackend(string lockDirectory, Action<string>? removeFromIptables)
    {
        _lockDirectory = lockDirectory;
        _removeFromIptables = removeFromIptables;
    }

    /// <inheritdoc/>
    public string Name => "nftables";

    /// <summary>The chain used for <paramref name="network"/> in <see cref="Table"/>.</summary>
    public static string ChainName(string network) => NftablesMasqueradeChain.ChainNameOf(MasqueradePlan.ValidNetwork(network));

    /// <summary>
    /// Lists our table and replaces the network's chain when it differs from the plan (or when <paramref name="force"/>
    /// says so). Holding the node's masquerade lock, so a migration never races another writer.
    /// </summary>
    /// <exception cref="NftablesException">libnftables is missing or the kernel refused the rules.</exception>
    public void Ensure(MasqueradePlan plan, bool force = false)
    {
        NftablesMasqueradeChain? desired = NftablesMasqueradeChain.For(plan);
        if (desired is null)
        {
            return;
        }

        PosixDirectory.EnsureTree(_lockDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using FileLock held = FileLock.Acquire(Path.Combine(_lockDirectory, LockFileName), LockTimeout);
        using Nftables nft = Nftables.Open();
        if (!force && !desired.Problems(Chains(nft).GetValueOrDefault(desired.Chain)).Any())
        {
            return;
        }

        NftablesResult replaced = nft.Run(desired.ReplaceScript());
        if (!replaced.Succeeded)
        {
            throw new NftablesException($"replacing chain {desired.Chain} of table inet {Table}", replaced.Error + NatHint(replaced.Error));
        }

        _removeFromIptables?.Invoke(plan.Network);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Check(MasqueradePlan plan)
    {
        NftablesMasqueradeChain? desired = NftablesMasqueradeChain.For(plan);
        if (desired is null)
        {
            return [];
        }

        try
        {
            using Nftables nft = Nftables.Open();
            return [.. desired.Problems(Chains(nft).GetValueOrDefault(desired.Chain))];
        }
        catch (NftablesException e)
        {
            return [e.Message];
        }
    }

    /// <summary>
    /// Deletes the network's chain; the table goes too once no chain of ours is left in it. Without libnftables
    /// nothing of ours can be there.
    /// </summary>
    public void Remove(string network)
    {
        if (!Nftables.IsAvailable)
        {
            return;
        }

        PosixDirectory.EnsureTree(_lockDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using FileLock held = FileLock.Acquire(Path.Combine(_lockDirectory, LockFileName), LockTimeout);
        RemoveIfPresent(network);
    }

    /// <summary>
    /// Removes <paramref name="network"/>'s chain when libnftables is there and the chain exists (also the iptables
    /// backend's migration); the caller holds the node's masquerade lock.
    /// </summary>
    internal static void RemoveIfPresent(string network)
    {
        if (!Nftables.IsAvailable)
        {
            return;
        }

        string chain = ChainName(network);
        using Nftables nft = Nftables.Open();
        IReadOnlyDictionary<string, NftablesChainListing> chains = Chains(nft);
        if (chains.ContainsKey(chain))
        {
            nft.RunChecked(NftablesMasqueradeChain.DeleteScript(chain), $"deleting chain {chain} of table inet {Table}");
            if (chains.Count == 1)
            {
                // Nothing of ours is left: the table goes too. Under the node lock, so no ADD adds a chain meanwhile.
                nft.RunChecked($"delete table inet {Table}\n", $"deleting table inet {Table}");
            }
        }
    }

    /// <summary>The chains of our table as listed live; empty when the table does not exist.</summary>
    internal static IReadOnlyDictionary<string, NftablesChainListing> Chains(Nftables nft)
    {
        NftablesResult listed = nft.Run($"list table inet {Table}");
        if (listed.IsMissing)
        {
            return new Dictionary<string, NftablesChainListing>();
        }

        return listed.Succeeded
            ? NftablesChainListing.ParseTable(listed.Output)
            : throw new NftablesException($"list table inet {Table}", listed.Error);
    }

    private static string NatHint(string error) =>
        error.Contains("No such file or directory", StringComparison.Ordinal) || error.Contains("Operation not supported", StringComparison.Ordinal)
            ? " (the kernel has no nftables NAT: load the modules nft_chain_nat, nft_masq and nf_nat, or set \"natBackend\": \"iptables\")"
            : "";
}
