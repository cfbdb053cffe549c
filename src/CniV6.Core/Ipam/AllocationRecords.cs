using System.Text.Json;
using CniV6.Linux;

namespace CniV6.Core.Ipam;

/// <summary>
/// <c>&lt;store&gt;/attachments/</c>: one JSON record per attachment, named <c>&lt;containerId&gt;=&lt;ifName&gt;</c>
/// (a container id never contains '=', so the name splits at the first one), holding what the attachment was given.
/// Looking an attachment up is opening one file, so a retried ADD, a CHECK and a DEL cost the same whatever the
/// number of pods. A record is written to a temporary file and renamed into place, so a crashed plugin never leaves a
/// partial one; only an operating-system crash can leave one empty (see <see cref="IpamStore"/> on fsync).
/// </summary>
internal sealed class AllocationRecords(string directory)
{
    public const string DirectoryName = "attachments";

    /// <summary>Largest record read: two addresses, a netns path (PATH_MAX is 4096) and a pod's names fit many times.</summary>
    public const int MaxRecordBytes = 64 * 1024;

    // Names starting with '.' are never records (container ids start with a letter or digit).
    private const string TemporaryName = ".record.tmp";

    public string Directory { get; } = directory;

    /// <summary>The record's file name; also what an address claim names as its owner.</summary>
    public static string NameOf(string containerId, string ifName) => containerId + "=" + ifName;

    public string PathOf(string containerId, string ifName) => Path.Combine(Directory, NameOf(containerId, ifName));

    /// <summary>
    /// The attachment's allocation; <see cref="RecordState.Missing"/> when it has none, <see cref="RecordState.Empty"/>
    /// when its record is an empty file (content lost in an operating-system crash).
    /// </summary>
    public (RecordState State, Allocation? Allocation) Read(string containerId, string ifName)
    {
        string path = PathOf(containerId, ifName);
        byte[]? content = StoreFiles.ReadIfExists(path, MaxRecordBytes);
        return content switch
        {
            null => (RecordState.Missing, null),
            [] => (RecordState.Empty, null),
            _ => (RecordState.Valid, IpamStateReader.ReadRecord(path, content, containerId, ifName)),
        };
    }

    public void Write(Allocation allocation)
    {
        var document = new AllocationDocument
        {
            ContainerId = allocation.ContainerId,
            IfName = allocation.IfName,
            Addresses = [.. allocation.Addresses.Select(x => x.ToString())],
            NetNs = allocation.NetNs,
            Created = allocation.Created,
            PodNamespace = allocation.Pod?.Namespace,
            PodName = allocation.Pod?.Name,
        };
        byte[] content = JsonSerializer.SerializeToUtf8Bytes(document, IpamStateJsonContext.Default.AllocationDocument);
        // The store lock serializes writers, so a fixed temporary name is safe and a crash's leftover is reused.
        AtomicFile.ReplaceUnsynced(PathOf(allocation.ContainerId, allocation.IfName), content, StoreFiles.PrivateFileMode, TemporaryName);
    }

    public bool Delete(string containerId, string ifName) => PosixFile.Unlink(PathOf(containerId, ifName));

    /// <summary>Every attachment with a record (names that are not a valid container id and interface name are ignored).</summary>
    public IEnumerable<(string ContainerId, string IfName)> List()
    {
        foreach (string name in StoreFiles.Names(Directory))
        {
            int separator = name.IndexOf('=', StringComparison.Ordinal);
            if (separator > 0
                && name[..separator] is var containerId && AttachmentIds.IsValidContainerId(containerId)
                && name[(separator + 1)..] is var ifName && InterfaceName.IsValid(ifName))
            {
                yield return (containerId, ifName);
            }
        }
    }
}

/// <summary>What <see cref="AllocationRecords.Read"/> found.</summary>
internal enum RecordState
{
    Missing,
    Empty,
    Valid,
}
