using CniV6.Linux;

namespace CniV6.Core.Pod;

/// <summary>
/// One lock file per attachment (<c>&lt;directory&gt;/&lt;network&gt;=&lt;containerId&gt;=&lt;ifName&gt;</c>, on the
/// /run tmpfs), held by ADD and DEL for their whole run. It serializes two invocations for the same attachment (two
/// ADDs at once used to end with success and nothing wired: the second one's failure undid the first one's veth), and
/// it tells garbage collection which attachments are in flight: an ADD holds its lock from before it reserves addresses
/// until it returns, so GC, which checks under the IPAM store lock, never reclaims an attachment whose ADD has not
/// returned. The IPAM reclaim of the agent can ask the same question (<see cref="InFlight"/>).
/// </summary>
public sealed class AttachmentLocks(string directory)
{
    /// <summary>Where the plugin keeps them: a tmpfs, so a reboot (which ends every invocation) clears them.</summary>
    public const string DefaultDirectory = "/run/cniv6/attachments";

    private const char Separator = '='; // never in a network name or container id (AttachmentIds)
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public string Directory { get; } = directory;

    /// <summary>Takes the attachment's lock, waiting up to <paramref name="timeout"/> for another invocation to finish.</summary>
    /// <exception cref="TimeoutException">another invocation for the same attachment held it for longer.</exception>
    public FileLock Hold(string network, string containerId, string ifName, TimeSpan timeout)
    {
        PosixDirectory.EnsureTree(Directory, DirectoryMode);
        return FileLock.Acquire(PathOf(network, containerId, ifName), timeout);
    }

    /// <summary>The attachments of <paramref name="network"/> whose ADD or DEL is running right now.</summary>
    public IReadOnlySet<(string ContainerId, string IfName)> InFlight(string network)
    {
        var busy = new HashSet<(string, string)>();
        if (!PosixFile.TryStat(Directory, followSymlinks: false, out FileStatus status) || status.Type != PosixFileType.Directory)
        {
            return busy;
        }

        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, network + Separator + "*"))
        {
            string[] parts = Path.GetFileName(path).Split(Separator, 3);
            if (parts.Length != 3 || parts[0] != network)
            {
                continue;
            }

            try
            {
                using FileLock? free = FileLock.TryAcquire(path);
                if (free is null)
                {
                    busy.Add((parts[1], parts[2]));
                }
            }
            catch (IOException)
            {
                // Not a lock file of ours (replaced, not a regular file): it protects nothing, so nothing is in flight.
            }
        }

        return busy;
    }

    private string PathOf(string network, string containerId, string ifName) =>
        Path.Combine(Directory, $"{network}{Separator}{containerId}{Separator}{ifName}");
}
