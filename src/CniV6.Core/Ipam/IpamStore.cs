using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.Core.Ipam;

/// <summary>
/// The address allocations of one CNI network on this node, kept under <c>&lt;dataDir&gt;/&lt;network&gt;/</c>:
/// one record per attachment (<see cref="AllocationRecords"/>, <c>attachments/</c>), one claim file per address in use
/// (<see cref="AddressClaims"/>, <c>addresses/</c>) and <c>state.json</c> with the pools' next-fit cursors. Opening the
/// store takes an exclusive flock on <c>lock</c> that is held until <see cref="Dispose"/>, so concurrent plugin
/// processes are serialized. ADD, CHECK and DEL touch only their own attachment's files, so their cost does not grow
/// with the number of pods; <see cref="List"/>, GC and <see cref="FreeAddresses"/> read the directory.
/// </summary>
/// <remarks>
/// <para>Crash safety comes from the order of the steps, each a single atomic file-system operation. Allocate:
/// claim each address (O_EXCL), write the record (temporary file + rename), then the cursor. Release: remove the
/// record, then the claims. A process killed between any two steps leaves claims without a record, never a record
/// without its claims: such claims keep their addresses out of use until the same attachment's retried ADD takes them
/// back (a claim names its owner) or <see cref="RemoveCrashResidue"/> (GC, the agent's reclaim) removes them.</para>
/// <para>No fsync: a process crash loses nothing written (the page cache survives it); only an operating-system
/// crash can lose the last writes or leave a record empty, and no pod survives that crash. An empty record reads as no
/// allocation for ADD and CHECK; DEL and GC remove it; its claims stay until it is gone. The numbers behind this are
/// in docs/DESIGN.md ("IPAM store: fsync").</para>
/// <para>Migration: a version 1 <c>state.json</c> (every allocation in one document) is converted to records under
/// the lock the first time the store is opened; a crash during the conversion repeats it.</para>
/// </remarks>
public sealed class IpamStore : IDisposable
{
    private const string LockFileName = "lock";
    private const string StateFileName = "state.json";
    private const string TemporaryStateFileName = "." + StateFileName + ".tmp";

    // Missing parents of dataDir get 0755.
    private const UnixFileMode ParentDirectoryMode = StoreFiles.PrivateDirectoryMode |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// Largest state file read: a version 1 file of about 50 000 allocations (a node runs a few hundred pods at most),
    /// far below what would take seconds or gigabytes to parse while holding the store lock.
    /// </summary>
    public const int MaxStateBytes = 16 * 1024 * 1024;

    /// <summary>Largest state.json overwritten in place: a page, which one write(2) fills whole or not at all.</summary>
    private const int StateRewriteInPlaceBytes = 4096;

    private readonly FileLock _storeLock;
    private readonly string _directory;
    private readonly string _networkName;
    private readonly TimeProvider _time;
    private readonly AllocationRecords _records;
    private readonly AddressClaims _claims;
    private readonly Dictionary<IPNetwork, PoolCursor> _cursors;
    private int? _stateFileSize;
    private bool _disposed;

    private IpamStore(FileLock storeLock, string directory, string networkName, TimeProvider time, IReadOnlyList<PoolCursor> cursors, int? stateFileSize)
    {
        _stateFileSize = stateFileSize;
        _storeLock = storeLock;
        _directory = directory;
        _networkName = networkName;
        _time = time;
        _records = new AllocationRecords(Path.Combine(directory, AllocationRecords.DirectoryName));
        _claims = new AddressClaims(Path.Combine(directory, AddressClaims.DirectoryName));
        _cursors = cursors.ToDictionary(c => c.Pool);
    }

    /// <summary>Opens (creating if needed) the store of <paramref name="networkName"/> and locks it.</summary>
    /// <exception cref="TimeoutException">another process held the lock for longer than <paramref name="lockTimeout"/>.</exception>
    /// <exception cref="IpamStoreCorruptException">the state file is unreadable, inconsistent or unsafe.</exception>
    public static IpamStore Open(string dataDir, string networkName, TimeSpan lockTimeout) =>
        Open(dataDir, networkName, lockTimeout, TimeProvider.System);

    internal static IpamStore Open(string dataDir, string networkName, TimeSpan lockTimeout, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDir);
        if (!AttachmentIds.IsValidNetworkName(networkName))
        {
            throw new ArgumentException($"invalid network name '{networkName}'", nameof(networkName));
        }

        if (!PosixFile.TryStat(dataDir, followSymlinks: true, out FileStatus existing) || existing.Type != PosixFileType.Directory)
        {
            string? parent = Path.GetDirectoryName(Path.GetFullPath(dataDir));
            if (parent is not null)
            {
                PosixDirectory.EnsureTree(parent, ParentDirectoryMode);
            }

            StoreFiles.EnsurePrivateDirectory(dataDir);
        }

        string directory = Path.Combine(dataDir, networkName);
        StoreFiles.EnsurePrivateDirectory(directory);

        FileLock heldLock = FileLock.Acquire(Path.Combine(directory, LockFileName), lockTimeout);
        try
        {
            // Under the lock: the directories' checks and creation, and the migration, are never raced.
            string recordsPath = Path.Combine(directory, AllocationRecords.DirectoryName);
            bool newLayout = PosixFile.TryStat(recordsPath, followSymlinks: false, out FileStatus records) && records.Type == PosixFileType.Directory;
            string statePath = Path.Combine(directory, StateFileName);
            byte[]? content = StoreFiles.ReadIfExists(statePath, MaxStateBytes);
            // Beside records, state.json holds only cursors, written without fsync: an operating-system crash may
            // leave it empty, which loses where next-fit was and nothing else. Without records (a version 1 store, or
            // none) an empty state.json is damage, as it always was.
            (int version, IpamState state) = content is null || (content.Length == 0 && newLayout)
                ? (IpamStateDocument.CurrentVersion, IpamState.Empty)
                : IpamStateReader.Read(statePath, networkName, content);
            StoreFiles.EnsurePrivateDirectory(recordsPath);
            StoreFiles.EnsurePrivateDirectory(Path.Combine(directory, AddressClaims.DirectoryName));
            // A version 1 file is replaced by the migration; an empty one is not overwritten in place.
            int? stateFileSize = version == IpamStateDocument.CurrentVersion && content is { Length: > 0 } ? content.Length : null;
            var store = new IpamStore(heldLock, directory, networkName, time, state.Cursors, stateFileSize);
            if (version == IpamStateDocument.LegacyVersion)
            {
                store.Migrate(state.Allocations);
            }

            return store;
        }
        catch
        {
            heldLock.Dispose();
            throw;
        }
    }

    /// <summary>The attachment's allocation, or null when it holds none (or its record was emptied by a crash).</summary>
    public Allocation? Find(string containerId, string ifName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return IsValidAttachment(containerId, ifName) ? _records.Read(containerId, ifName).Allocation : null;
    }

    /// <summary>
    /// Gives the attachment one address from each pool (at most one IPv6 and one IPv4 pool). A retried ADD for an
    /// attachment that already holds addresses gets its existing allocation back unchanged.
    /// </summary>
    /// <param name="pod">The pod CNI_ARGS named, recorded for people reading the store (<c>cniv6 ipam list</c>).</param>
    /// <exception cref="PoolExhaustedException">a pool has no free address; nothing was allocated.</exception>
    public Allocation Allocate(string containerId, string ifName, IReadOnlyList<IPNetwork> pools, string? netns, PodReference? pod = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(pools);
        ValidateAttachment(containerId, ifName);
        if (_records.Read(containerId, ifName).Allocation is { } existing)
        {
            return existing;
        }

        ValidatePools(pools);
        string owner = AllocationRecords.NameOf(containerId, ifName);

        // Claim every address before writing the record; whatever fails undoes the claims this call created, so an
        // exhausted second pool or a full disk leaves no trace.
        var chosen = new List<(PoolCursor Cursor, IPAddress Address, UInt128 Offset)>(pools.Count);
        var created = new List<IPAddress>(pools.Count);
        try
        {
            foreach (IPNetwork pool in pools)
            {
                PoolCursor cursor = _cursors.GetValueOrDefault(pool) ?? new PoolCursor(pool, UInt128.Zero);
                bool madeClaim = false;
                if (!cursor.TryTake(candidate => _claims.TryClaim(candidate, owner, out madeClaim), out IPAddress address, out UInt128 offset))
                {
                    throw new PoolExhaustedException(pool);
                }

                if (madeClaim)
                {
                    created.Add(address);
                }

                chosen.Add((cursor, address, offset));
            }

            var allocation = new Allocation(containerId, ifName, [.. chosen.Select(c => c.Address)], netns, _time.GetUtcNow(), pod);
            _records.Write(allocation);
            try
            {
                WriteState(chosen.Select(c => (c.Cursor.Pool, c.Offset)));
            }
            catch
            {
                _ = _records.Delete(containerId, ifName);
                throw;
            }

            foreach ((PoolCursor cursor, _, UInt128 offset) in chosen)
            {
                cursor.MoveTo(offset);
                _cursors.TryAdd(cursor.Pool, cursor);
            }

            return allocation;
        }
        catch
        {
            foreach (IPAddress address in created)
            {
                _claims.Remove(address);
            }

            throw;
        }
    }

    /// <summary>Frees the attachment's addresses; false when it held none. An empty record (see remarks) is removed, and
    /// the claims that name it go with the next <see cref="RemoveCrashResidue"/>.</summary>
    public bool Release(string containerId, string ifName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!IsValidAttachment(containerId, ifName))
        {
            return false;
        }

        (RecordState state, Allocation? allocation) = _records.Read(containerId, ifName);
        if (state == RecordState.Missing)
        {
            return false;
        }

        Forget(containerId, ifName, allocation);
        return true;
    }

    /// <summary>
    /// CNI GC: frees every attachment not in <paramref name="keep"/> and returns what was freed (oldest first), then
    /// removes what crashed operations left (<see cref="RemoveCrashResidue"/>). Every record is read before anything
    /// is removed, so a damaged one stops GC without a change.
    /// </summary>
    public IReadOnlyList<Allocation> ReleaseAllExcept(IReadOnlyCollection<(string ContainerId, string IfName)> keep)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(keep);
        var keepSet = new HashSet<(string, string)>(keep);
        RecordScan scan = ScanRecords();
        List<Allocation> released = [.. Ordered(scan.Allocations.Where(a => !keepSet.Contains((a.ContainerId, a.IfName))))];
        foreach (Allocation allocation in released)
        {
            Forget(allocation.ContainerId, allocation.IfName, allocation);
        }

        foreach ((string containerId, string ifName) in scan.Emptied.Where(a => !keepSet.Contains(a)))
        {
            Forget(containerId, ifName, allocation: null);
        }

        _ = RemoveCrashResidue();
        return released;
    }

    /// <summary>
    /// Removes address claims no record holds: left by a plugin killed between claiming and recording an address, or
    /// between removing a record and its claims. Under the store lock no operation is half-way, so such a claim was
    /// never handed to a pod. A claim whose owner's record is an empty file (a crash lost its content) is kept until
    /// that record is released. Returns the addresses freed.
    /// </summary>
    public IReadOnlyList<IPAddress> RemoveCrashResidue()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RecordScan scan = ScanRecords();
        var held = new HashSet<IPAddress>(scan.Allocations.SelectMany(a => a.Addresses));
        var emptied = new HashSet<string>(scan.Emptied.Select(a => AllocationRecords.NameOf(a.ContainerId, a.IfName)), StringComparer.Ordinal);
        var freed = new List<IPAddress>();
        foreach (IPAddress address in _claims.List().ToList())
        {
            if (held.Contains(address) || _claims.OwnerOrNull(address) is not { } owner || emptied.Contains(owner))
            {
                continue;
            }

            _claims.Remove(address);
            freed.Add(address);
        }

        return freed;
    }

    /// <summary>All allocations, oldest first.</summary>
    public IReadOnlyList<Allocation> List()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return [.. Ordered(ScanRecords().Allocations)];
    }

    /// <summary>How many addresses of <paramref name="pool"/> can still be handed out (CNI STATUS reports 50 at zero).</summary>
    public UInt128 FreeAddresses(IPNetwork pool)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        UInt128 usable = new PoolCursor(pool, 0).UsableCount;
        UInt128 used = (UInt128)_claims.List().Count(address => Cidr.Contains(pool, address));
        return used >= usable ? 0 : usable - used;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _storeLock.Dispose();
        }
    }

    private static void ValidateAttachment(string containerId, string ifName)
    {
        if (!AttachmentIds.IsValidContainerId(containerId))
        {
            throw new ArgumentException($"invalid container id '{containerId}'", nameof(containerId));
        }

        if (!InterfaceName.IsValid(ifName))
        {
            throw new ArgumentException($"invalid interface name '{ifName}'", nameof(ifName));
        }
    }

    private static void ValidatePools(IReadOnlyList<IPNetwork> pools)
    {
        if (pools.Count == 0)
        {
            throw new ArgumentException("at least one pool is required", nameof(pools));
        }

        if (pools.Count(p => p.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6) > 1
            || pools.Count(p => p.BaseAddress.AddressFamily == AddressFamily.InterNetwork) > 1)
        {
            throw new ArgumentException("at most one pool per address family (one IPv6 and one IPv4)", nameof(pools));
        }

        if (pools.Any(p => p.BaseAddress.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)))
        {
            throw new ArgumentException("pools must be IPv6 or IPv4 networks", nameof(pools));
        }
    }

    private static IEnumerable<Allocation> Ordered(IEnumerable<Allocation> allocations) =>
        allocations
            .OrderBy(a => a.Created)
            .ThenBy(a => a.ContainerId, StringComparer.Ordinal)
            .ThenBy(a => a.IfName, StringComparer.Ordinal);

    private static bool IsValidAttachment(string containerId, string ifName) =>
        AttachmentIds.IsValidContainerId(containerId) && InterfaceName.IsValid(ifName);

    /// <summary>Removes the record first, then the claims its allocation names (those still the attachment's).</summary>
    private void Forget(string containerId, string ifName, Allocation? allocation)
    {
        _ = _records.Delete(containerId, ifName);
        string owner = AllocationRecords.NameOf(containerId, ifName);
        foreach (IPAddress address in allocation?.Addresses ?? [])
        {
            _claims.Release(address, owner);
        }
    }

    /// <summary>Every record, read and checked: one address held by two records is damage, as in version 1.</summary>
    private RecordScan ScanRecords()
    {
        var allocations = new List<Allocation>();
        var emptied = new List<(string, string)>();
        var holders = new Dictionary<IPAddress, Allocation>();
        foreach ((string containerId, string ifName) in _records.List().ToList())
        {
            (RecordState state, Allocation? allocation) = _records.Read(containerId, ifName);
            if (allocation is null)
            {
                if (state == RecordState.Empty)
                {
                    emptied.Add((containerId, ifName));
                }

                continue;
            }

            foreach (IPAddress address in allocation.Addresses)
            {
                if (!holders.TryAdd(address, allocation))
                {
                    throw new IpamStoreCorruptException(_records.PathOf(containerId, ifName),
                        $"address {address} is assigned twice (also to {holders[address].ContainerId}/{holders[address].IfName})");
                }
            }

            allocations.Add(allocation);
        }

        return new RecordScan(allocations, emptied);
    }

    /// <summary>Converts a version 1 store: claims and a record per allocation, then state.json as version 2 last.</summary>
    private void Migrate(IReadOnlyList<Allocation> allocations)
    {
        foreach (Allocation allocation in allocations)
        {
            string owner = AllocationRecords.NameOf(allocation.ContainerId, allocation.IfName);
            foreach (IPAddress address in allocation.Addresses)
            {
                if (!_claims.TryClaim(address, owner, out _))
                {
                    throw new IpamStoreCorruptException(_claims.PathOf(address),
                        $"claims {address} for another attachment than {allocation.ContainerId}/{allocation.IfName}, which state.json (version 1) gives it to; not migrating");
                }
            }

            _records.Write(allocation);
        }

        WriteState([]);
    }

    /// <summary>state.json (version 2) with the cursors as they are, moved to <paramref name="moves"/>.</summary>
    private void WriteState(IEnumerable<(IPNetwork Pool, UInt128 Offset)> moves)
    {
        Dictionary<IPNetwork, UInt128> cursors = _cursors.ToDictionary(c => c.Key, c => c.Value.LastOffset);
        foreach ((IPNetwork pool, UInt128 offset) in moves)
        {
            cursors[pool] = offset;
        }

        var document = new IpamStateDocument
        {
            Version = IpamStateDocument.CurrentVersion,
            Network = _networkName,
            Pools = [.. cursors
                .OrderBy(c => Cidr.Format(c.Key), StringComparer.Ordinal)
                .Select(c => new PoolCursorDocument { Pool = Cidr.Format(c.Key), Last = Cidr.AddressAt(c.Key, c.Value).ToString() })],
        };

        byte[] json = JsonSerializer.SerializeToUtf8Bytes(document, IpamStateJsonContext.Default.IpamStateDocument);
        string path = Path.Combine(_directory, StateFileName);
        if (_stateFileSize is { } size && json.Length <= size && size <= StateRewriteInPlaceBytes)
        {
            // Overwritten in place, padded with spaces (JSON whitespace) to its size: one write into one page, which a
            // killed process makes whole or not at all. Replacing it by rename cost 4-16 ms here: ext4 starts writing
            // a file renamed over another at once (auto_da_alloc), a new name costs microseconds.
            byte[] padded = new byte[size];
            json.CopyTo(padded, 0);
            padded.AsSpan(json.Length).Fill((byte)' ');
            using SafeFd fd = PosixFile.OpenRegularFile(path, PosixOpenFlags.WriteOnly);
            if (PosixFile.Fstat(fd, path).Size == size)
            {
                PosixFile.WriteAll(fd, padded, path);
                return;
            }
        }

        // First write, or the cursors outgrew the file: a new file with room to grow, renamed into place.
        int grown = Math.Min(Math.Max(json.Length + 256, 512), StateRewriteInPlaceBytes);
        byte[] content = new byte[Math.Max(grown, json.Length)];
        json.CopyTo(content, 0);
        content.AsSpan(json.Length).Fill((byte)' ');
        // The store lock serializes writers, so a fixed temporary name is safe and a crash's leftover is reused.
        AtomicFile.ReplaceUnsynced(path, content, StoreFiles.PrivateFileMode, TemporaryStateFileName);
        _stateFileSize = content.Length;
    }

    private sealed record RecordScan(List<Allocation> Allocations, List<(string ContainerId, string IfName)> Emptied);
}
