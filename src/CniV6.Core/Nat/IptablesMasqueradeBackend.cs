using System.Net.Sockets;
using System.Text;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.Core.Nat;

/// <summary>
/// The iptables implementation of <see cref="IMasqueradeBackend"/>: per address family with a pool, a chain
/// <c>CNIV6-MASQ-&lt;8 hex&gt;</c> in the nat table that RETURNs for destinations inside the pools, excluded CIDRs
/// and link-local/multicast, then MASQUERADEs the pool's sources; POSTROUTING jumps to it once, tagged with the
/// plan's owner tag <c>cniv6 masquerade &lt;network&gt;</c>. Changes are applied atomically with <c>*-restore --noflush</c>
/// after one <c>*-save -t nat</c>, so the jump is never duplicated and the chain is rewritten only when it differs.
/// The rules go to iptables-nft or iptables-legacy, whichever the node already uses (<see cref="IptablesVariantDetector"/>).
/// </summary>
public sealed class IptablesMasqueradeBackend : IMasqueradeBackend
{
    /// <summary>Where the installation markers live (a tmpfs, cleared with the rules on reboot).</summary>
    public const string DefaultMarkerDirectory = "/run/cniv6/masquerade";

    private const string LockFileName = "lock";

    // Restore, then verify; a third pass only when someone else changed the rules in between.
    private const int MaxEnsurePasses = 3;
    private static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);

    private static readonly AddressFamily[] Families = [AddressFamily.InterNetworkV6, AddressFamily.InterNetwork];

    private readonly IIptablesRunner _runner;
    private readonly IptablesMasqueradeMarkers _markers;
    // Identifies the namespace the rules live in; 0 means "cannot tell", and then no marker is trusted.
    private readonly Func<ulong> _netnsIdentity;
    // The namespace's nf_tables generation (null: cannot tell, and then no marker is trusted or written).
    private readonly Func<uint?> _tableGeneration;
    private readonly Lazy<IptablesVariant> _variant;
    // Removes a network's rules from the other backend (nftables) after we installed it; null leaves it alone.
    private readonly Action<string>? _removeFromOtherBackend;

    /// <summary>
    /// Rules in the network namespace of the calling thread, using the real iptables binaries. Markers are keyed
    /// by the namespace cookie: an inode is handed to a new namespace once the old one is gone, and a marker left
    /// by a deleted namespace must never vouch for rules in a new one.
    /// </summary>
    public IptablesMasqueradeBackend()
        : this(variant: null)
    {
    }

    /// <summary>
    /// As the default, with the variant already known (the node's <see cref="NatBackendRecord"/>) instead of detected;
    /// a network this backend installs loses its chain in our nftables table, if the node used that backend before.
    /// </summary>
    public IptablesMasqueradeBackend(IptablesVariant? variant)
        : this(variant, removeFromOtherBackend: true)
    {
    }

    internal IptablesMasqueradeBackend(IptablesVariant? variant, bool removeFromOtherBackend)
        : this(new ProcessIptablesRunner(DefaultCommandTimeout), DefaultMarkerDirectory, () => NetNamespace.CurrentCookie() ?? 0, NfTablesGeneration.Read,
            variant, removeFromOtherBackend ? NftablesMasqueradeBackend.RemoveIfPresent : null)
    {
    }

    internal IptablesMasqueradeBackend(IIptablesRunner runner, string markerDirectory, Func<ulong> netnsIdentity, Func<uint?> tableGeneration,
        IptablesVariant? variant = null, Action<string>? removeFromOtherBackend = null)
    {
        _runner = runner;
        _markers = new IptablesMasqueradeMarkers(markerDirectory);
        _netnsIdentity = netnsIdentity;
        _tableGeneration = tableGeneration;
        _variant = variant is IptablesVariant known
            ? new Lazy<IptablesVariant>(known)
            : new Lazy<IptablesVariant>(() => IptablesVariantDetector.Detect(runner));
        _removeFromOtherBackend = removeFromOtherBackend;
    }

    /// <summary>The iptables implementation in use (detected on first use: costs a few processes).</summary>
    public IptablesVariant Variant => _variant.Value;

    /// <inheritdoc/>
    public string Name => Variant == IptablesVariant.Nft ? "iptables-nft" : "iptables-legacy";

    /// <summary>The chain name used for <paramref name="network"/>.</summary>
    public static string ChainName(string network) => IptablesMasqueradeChain.ChainNameOf(MasqueradePlan.ValidNetwork(network));

    /// <summary>
    /// Makes the rules match the plan. A marker is trusted only while the namespace's nf_tables generation is the
    /// one it was written at: then nothing at all changed in the ruleset since the rules were verified, and Ensure
    /// returns after one netlink round trip without starting any process. Any change since (a flushed nat table, a
    /// firewall reload, anybody's rule) reads the live rules again. With iptables-legacy, whose changes no generation
    /// tracks, no marker is written and the live rules are always read. <paramref name="force"/> ignores the marker
    /// (the agent's reconcile uses it after <see cref="Check"/> found a problem).
    /// </summary>
    /// <exception cref="NatTableUnavailableException">the kernel has no nat table for a family that has a pool.</exception>
    /// <exception cref="IptablesException">an iptables program failed.</exception>
    public void Ensure(MasqueradePlan plan, bool force = false)
    {
        IReadOnlyList<IptablesMasqueradeChain> chains = IptablesMasqueradeChain.For(plan);
        if (chains.Count == 0)
        {
            return;
        }

        ulong netns = _netnsIdentity();
        string chain = chains[0].Chain;
        string fingerprint = Fingerprint(chains);
        if (!force && netns != 0 && MarkerIsCurrent(netns, chain, fingerprint))
        {
            return;
        }

        // Serialize concurrent ADDs of this node: between save and restore another writer could add a second jump.
        _markers.EnsureDirectory();
        using FileLock held = FileLock.Acquire(Path.Combine(_markers.Directory, LockFileName), LockTimeout);
        if (!force && netns != 0 && MarkerIsCurrent(netns, chain, fingerprint))
        {
            return;
        }

        // Read the generation before the rules: a change after this read makes the marker stale, never wrong. A pass
        // that had to restore verifies once more, so the marker always records a generation at which the rules were
        // seen in place (our own restore bumps the generation too).
        for (int pass = 0; pass < MaxEnsurePasses; pass++)
        {
            uint? generation = _tableGeneration();
            bool changed = false;
            foreach (IptablesMasqueradeChain desired in chains)
            {
                var commands = new IptablesCommands(Variant, desired.Family);
                IptablesNatSnapshot current = IptablesNatSnapshot.Parse(SaveNat(commands), desired.Chain);
                string? script = EnsureScript(desired, current);
                if (script is not null)
                {
                    Restore(commands, script);
                    changed = true;
                }
            }

            if (changed)
            {
                // Installed here now: a copy left by the nftables backend would masquerade the same traffic twice.
                _removeFromOtherBackend?.Invoke(plan.Network);
            }
            else
            {
                if (netns != 0 && generation is uint verifiedAt && Variant == IptablesVariant.Nft)
                {
                    _markers.Write(netns, chain, fingerprint, verifiedAt);
                }

                return;
            }
        }
    }

    private bool MarkerIsCurrent(ulong netns, string chain, string fingerprint) =>
        _tableGeneration() is uint generation && _markers.Matches(netns, chain, fingerprint, generation);

    /// <summary>Deletes the jump and the chain in both families (what exists of them) and the marker.</summary>
    public void Remove(string network)
    {
        _markers.EnsureDirectory();
        using FileLock held = FileLock.Acquire(Path.Combine(_markers.Directory, LockFileName), LockTimeout);
        RemoveHoldingLock(network);
    }

    /// <summary><see cref="Remove"/> for a caller that already holds the node's masquerade lock (a migration).</summary>
    internal void RemoveHoldingLock(string network)
    {
        string chain = ChainName(network);
        _markers.Delete(_netnsIdentity(), chain);
        foreach (AddressFamily family in Families)
        {
            var commands = new IptablesCommands(Variant, family);
            IptablesResult saved = _runner.Run(commands.Save, ["-t", "nat"], null);
            if (saved.ExitCode != 0)
            {
                // No nat table (or no such program): nothing of ours can be there.
                continue;
            }

            IptablesNatSnapshot current = IptablesNatSnapshot.Parse(saved.StandardOutput, chain);
            if (!current.ChainExists && current.JumpRules.Count == 0)
            {
                continue;
            }

            var script = new StringBuilder("*nat\n");
            foreach (string jump in current.JumpRules)
            {
                script.Append("-D ").Append(jump.AsSpan(3)).Append('\n');
            }

            if (current.ChainExists)
            {
                // Declaring the chain under --noflush flushes it, after which it can be deleted.
                script.Append(':').Append(chain).Append(" - [0:0]\n");
                script.Append("-X ").Append(chain).Append('\n');
            }

            Restore(commands, script.Append("COMMIT\n").ToString());
        }
    }

    /// <summary>What differs from the desired rules (empty when all is in place); never changes anything.</summary>
    public IReadOnlyList<string> Check(MasqueradePlan plan)
    {
        var problems = new List<string>();
        foreach (IptablesMasqueradeChain desired in IptablesMasqueradeChain.For(plan))
        {
            var commands = new IptablesCommands(Variant, desired.Family);
            string saved;
            try
            {
                saved = SaveNat(commands);
            }
            catch (IptablesException e)
            {
                problems.Add(e.Message);
                continue;
            }

            problems.AddRange(Problems(desired, IptablesNatSnapshot.Parse(saved, desired.Chain), commands.FamilyTool));
        }

        return problems;
    }

    internal static string? EnsureScript(IptablesMasqueradeChain desired, IptablesNatSnapshot current)
    {
        var script = new StringBuilder();
        if (!current.ChainExists || !current.ChainRules.SequenceEqual(desired.Rules, StringComparer.Ordinal))
        {
            script.Append(':').Append(desired.Chain).Append(" - [0:0]\n");
            foreach (string rule in desired.Rules)
            {
                script.Append(rule).Append('\n');
            }
        }

        bool jumpKept = false;
        foreach (string jump in current.JumpRules)
        {
            if (!jumpKept && jump == desired.JumpRule)
            {
                jumpKept = true;
                continue;
            }

            // A duplicate, or a jump to our chain we did not write in this form.
            script.Append("-D ").Append(jump.AsSpan(3)).Append('\n');
        }

        if (!jumpKept)
        {
            script.Append(desired.JumpRule).Append('\n');
        }

        return script.Length == 0 ? null : $"*nat\n{script}COMMIT\n";
    }

    internal static IEnumerable<string> Problems(IptablesMasqueradeChain desired, IptablesNatSnapshot current, string tool)
    {
        string where = $"{tool} nat";
        if (!current.ChainExists)
        {
            yield return $"{where}: chain {desired.Chain} of network {desired.Network} is missing";
        }
        else
        {
            foreach (string missing in desired.Rules.Except(current.ChainRules, StringComparer.Ordinal))
            {
                yield return $"{where}: rule '{missing}' is missing";
            }

            foreach (string unexpected in current.ChainRules.Except(desired.Rules, StringComparer.Ordinal))
            {
                yield return $"{where}: unexpected rule '{unexpected}'";
            }

            if (current.ChainRules.Count == desired.Rules.Count
                && !current.ChainRules.Except(desired.Rules, StringComparer.Ordinal).Any()
                && !current.ChainRules.SequenceEqual(desired.Rules, StringComparer.Ordinal))
            {
                yield return $"{where}: rules of chain {desired.Chain} are out of order";
            }
        }

        int jumps = current.JumpRules.Count(j => j == desired.JumpRule);
        if (jumps == 0)
        {
            yield return $"{where}: POSTROUTING jump '{desired.JumpRule}' is missing";
        }
        else if (jumps > 1)
        {
            yield return $"{where}: POSTROUTING jump to {desired.Chain} appears {jumps} times";
        }

        foreach (string other in current.JumpRules.Where(j => j != desired.JumpRule))
        {
            yield return $"{where}: unexpected POSTROUTING rule '{other}'";
        }
    }

    private static string Fingerprint(IReadOnlyList<IptablesMasqueradeChain> chains) =>
        string.Join('\n', chains.SelectMany(c => c.Rules.Append(c.JumpRule)));

    private string SaveNat(IptablesCommands commands)
    {
        IptablesResult saved = _runner.Run(commands.Save, ["-t", "nat"], null);
        string command = $"{commands.Save} -t nat";
        if (saved.ExitCode != 0)
        {
            throw Failure(commands, command, saved);
        }

        // A save that succeeds but shows no nat table means the table cannot be created in this kernel.
        if (!saved.StandardOutput.Contains("*nat", StringComparison.Ordinal))
        {
            throw new NatTableUnavailableException(commands.Family, command, saved.ExitCode, saved.StandardError);
        }

        return saved.StandardOutput;
    }

    private void Restore(IptablesCommands commands, string script)
    {
        IptablesResult restored = _runner.Run(commands.Restore, ["--noflush", "--wait=10"], script);
        if (restored.ExitCode != 0)
        {
            throw Failure(commands, $"{commands.Restore} --noflush", restored);
        }
    }

    private static IptablesException Failure(IptablesCommands commands, string command, IptablesResult result) =>
        NatTableUnavailableException.Matches(result.StandardError)
            ? new NatTableUnavailableException(commands.Family, command, result.ExitCode, result.StandardError)
            : new IptablesException(command, result.ExitCode, result.StandardError);
}
