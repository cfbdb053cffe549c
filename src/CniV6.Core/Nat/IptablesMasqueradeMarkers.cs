using CniV6.Core.Hashing;

namespace CniV6.Core.Nat;

/// <summary>
/// Files that record "these exact rules were installed in this network namespace", so that the common case of
/// an ADD finding everything in place costs no iptables process at all. The key is the netns inode (the same
/// rules in another namespace are a different installation), the chain and a hash of the desired rules (a
/// changed configuration misses the marker). /run is a tmpfs, so markers vanish with a reboot, as the rules do.
/// </summary>
internal sealed class IptablesMasqueradeMarkers(string directory)
{
    public string Directory { get; } = directory;

    public string PathOf(ulong netnsInode, string chain, string desiredRules) =>
        Path.Combine(Directory, $"{Prefix(netnsInode, chain)}{RulesHash(desiredRules)}");

    public bool Exists(ulong netnsInode, string chain, string desiredRules) =>
        File.Exists(PathOf(netnsInode, chain, desiredRules));

    /// <summary>Records the installation and drops markers of earlier rule sets of the same chain.</summary>
    public void Write(ulong netnsInode, string chain, string desiredRules)
    {
        EnsureDirectory();
        string path = PathOf(netnsInode, chain, desiredRules);
        Delete(netnsInode, chain, except: path);
        File.WriteAllText(path, desiredRules);
    }

    /// <summary>Removes every marker of the chain in this namespace.</summary>
    public void Delete(ulong netnsInode, string chain, string? except = null)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }

        foreach (string stale in System.IO.Directory.EnumerateFiles(Directory, Prefix(netnsInode, chain) + "*"))
        {
            if (stale != except)
            {
                File.Delete(stale);
            }
        }
    }

    public void EnsureDirectory()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
    }

    private static string Prefix(ulong netnsInode, string chain) => $"{netnsInode}-{chain}-";

    private static string RulesHash(string desiredRules) =>
        Sha256.HexOf(desiredRules)[..16];
}
