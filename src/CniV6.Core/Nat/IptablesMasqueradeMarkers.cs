using System.Text;
using CniV6.Core.Hashing;
using CniV6.Linux;

namespace CniV6.Core.Nat;

/// <summary>
/// Files that record "these exact rules were verified in place in this network namespace while the nf_tables
/// generation was G", so that the common case of an ADD finding everything in place costs one netlink round trip
/// instead of iptables processes. The key is the netns cookie (the same rules in another namespace are a different
/// installation), the chain and a hash of the desired rules (a changed configuration misses the marker); the content
/// names the generation, so any later nf_tables transaction in the namespace — a flush by a firewall reload, kube-proxy,
/// anyone — invalidates every marker at once. /run is a tmpfs, so markers vanish with a reboot, as the rules do.
/// A marker is trusted only when it can only have been written by us: a regular file in a directory that only this
/// user owns and may write (created 0700 whatever the umask), both owned by us; never written or read through a symlink.
/// </summary>
internal sealed class IptablesMasqueradeMarkers(string directory)
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode MarkerMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    // A marker holds one generation line and the rules: a few KiB; anything larger is not ours.
    private const int MaxMarkerBytes = 64 * 1024;

    public string Directory { get; } = directory;

    public string PathOf(ulong netnsCookie, string chain, string desiredRules) =>
        Path.Combine(Directory, $"{Prefix(netnsCookie, chain)}{RulesHash(desiredRules)}");

    /// <summary>True when the marker exists, is ours, and was written at <paramref name="generation"/> for exactly these rules.</summary>
    public bool Matches(ulong netnsCookie, string chain, string desiredRules, uint generation)
    {
        if (!DirectoryIsOurs())
        {
            return false;
        }

        string path = PathOf(netnsCookie, chain, desiredRules);
        try
        {
            using SafeFd? fd = PosixFile.TryOpenRegularFile(path, PosixOpenFlags.ReadOnly);
            if (fd is null)
            {
                return false;
            }

            FileStatus status = PosixFile.Fstat(fd, path);
            if (status.Owner != ProcessIdentity.EffectiveUserId || status.IsWritableByOthers || status.Size > MaxMarkerBytes)
            {
                return false;
            }

            return PosixFile.ReadToEnd(fd, path, MaxMarkerBytes).AsSpan().SequenceEqual(Content(desiredRules, generation));
        }
        catch (IOException)
        {
            // Not a regular file, unreadable, grown past the limit: not a marker we wrote, so not trusted.
            return false;
        }
    }

    /// <summary>Records the verified installation at <paramref name="generation"/> and drops markers of earlier rule sets of the chain.</summary>
    public void Write(ulong netnsCookie, string chain, string desiredRules, uint generation)
    {
        EnsureDirectory();
        if (!DirectoryIsOurs())
        {
            return;
        }

        string path = PathOf(netnsCookie, chain, desiredRules);
        Delete(netnsCookie, chain, except: path);
        AtomicFile.Replace(path, Content(desiredRules, generation), MarkerMode);
    }

    /// <summary>Removes every marker of the chain in this namespace.</summary>
    public void Delete(ulong netnsCookie, string chain, string? except = null)
    {
        if (!PosixFile.TryStat(Directory, followSymlinks: false, out FileStatus status) || status.Type != PosixFileType.Directory)
        {
            return;
        }

        foreach (string stale in System.IO.Directory.EnumerateFiles(Directory, Prefix(netnsCookie, chain) + "*"))
        {
            if (stale != except)
            {
                // unlink(2) removes a symlink itself, never its target.
                PosixFile.Unlink(stale);
            }
        }
    }

    /// <summary>Creates the directory (and missing parents) with exactly 0700; an existing one keeps its mode.</summary>
    public void EnsureDirectory() => PosixDirectory.EnsureTree(Directory, DirectoryMode);

    private bool DirectoryIsOurs() =>
        PosixFile.TryStat(Directory, followSymlinks: false, out FileStatus status)
        && status.Type == PosixFileType.Directory
        && status.Owner == ProcessIdentity.EffectiveUserId
        && !status.IsWritableByOthers;

    private static byte[] Content(string desiredRules, uint generation) =>
        Encoding.UTF8.GetBytes($"nftables-generation {generation}\n{desiredRules}");

    private static string Prefix(ulong netnsCookie, string chain) => $"{netnsCookie}-{chain}-";

    private static string RulesHash(string desiredRules) =>
        Sha256.HexOf(desiredRules)[..16];
}
