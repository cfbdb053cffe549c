using System.Text;
using CniV6.Linux;

namespace CniV6.Core.Nat;

/// <summary>
/// The node's masquerade backend as detected once: <c>nftables</c>, <c>iptables-nft</c> or <c>iptables-legacy</c>, in
/// a file per network namespace (<c>backend-&lt;netns cookie&gt;</c>: a cookie is never reused while the machine runs,
/// and /run is a tmpfs, so a record never outlives the rules it describes). The plugin and the agent read it instead of
/// detecting on every call (iptables detection alone costs five processes). Trusted only in a directory that only we
/// own and may write, like the iptables markers; anything unexpected reads as "not detected yet".
/// </summary>
internal sealed class NatBackendRecord(string directory, Func<ulong?> netnsCookie)
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const int MaxBytes = 64;

    /// <summary>The record of the calling thread's network namespace, next to the masquerade lock.</summary>
    public static NatBackendRecord Default { get; } = new(IptablesMasqueradeBackend.DefaultMarkerDirectory, NetNamespace.CurrentCookie);

    public const string Nftables = "nftables";
    public const string IptablesNft = "iptables-nft";
    public const string IptablesLegacy = "iptables-legacy";

    /// <summary>The recorded backend name, or null when none is recorded (or the record is not trustworthy).</summary>
    public string? Read()
    {
        if (PathOfCurrent() is not string path
            || !PosixFile.TryStat(directory, followSymlinks: false, out FileStatus dir)
            || dir.Type != PosixFileType.Directory || dir.Owner != ProcessIdentity.EffectiveUserId || dir.IsWritableByOthers)
        {
            return null;
        }

        try
        {
            using SafeFd? fd = PosixFile.TryOpenRegularFile(path, PosixOpenFlags.ReadOnly);
            if (fd is null)
            {
                return null;
            }

            FileStatus status = PosixFile.Fstat(fd, path);
            if (status.Owner != ProcessIdentity.EffectiveUserId || status.IsWritableByOthers)
            {
                return null;
            }

            string name = Encoding.UTF8.GetString(PosixFile.ReadToEnd(fd, path, MaxBytes)).Trim();
            return name is Nftables or IptablesNft or IptablesLegacy ? name : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Records <paramref name="name"/>; a failure only means the next process detects again.</summary>
    public void Write(string name)
    {
        if (PathOfCurrent() is not string path)
        {
            return;
        }

        try
        {
            PosixDirectory.EnsureTree(directory, DirectoryMode);
            AtomicFile.Replace(path, Encoding.UTF8.GetBytes(name + "\n"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch (IOException)
        {
        }
    }

    private string? PathOfCurrent() =>
        netnsCookie() is ulong cookie and not 0 ? Path.Combine(directory, $"backend-{cookie}") : null;
}
