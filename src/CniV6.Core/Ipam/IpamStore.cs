using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CniV6.Linux;
using CniV6.Netlink;

namespace CniV6.Core.Ipam;

/// <summary>
/// The address allocations of one CNI network on this node, kept in <c>&lt;dataDir&gt;/&lt;network&gt;/state.json</c>.
/// Opening the store takes an exclusive flock on <c>&lt;dataDir&gt;/&lt;network&gt;/lock</c> that is held until
/// <see cref="Dispose"/>, so the state read at open stays authoritative for the store's lifetime and concurrent
/// plugin processes are serialized. Every change is written crash-safe before the method returns; a method that
/// throws leaves both the file and the in-memory view unchanged.
/// </summary>
public sealed class IpamStore : IDisposable
{
    private const string LockFileName = "lock";
    private const string StateFileName = "state.json";
    private const string TemporaryStateFileName = "." + StateFileName + ".tmp";

    // Only root may read the store: directories 0700, files 0600. Missing parents of dataDir get 0755.
    private const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode ParentDirectoryMode = PrivateDirectoryMode |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// Largest state file read: about 50 000 allocations (a node runs a few hundred pods at most), far below what
    /// would take seconds or gigabytes to parse while holding the store lock.
    /// </summary>
    public const int MaxStateBytes = 16 * 1024 * 1024;

    private readonly FileLock _storeLock;
    private readonly string _directory;
    private readonly string _networkName;
    private readonly TimeProvider _time;
    private readonly Dictionary<(string ContainerId, string IfName), Allocation> _allocations;
    private readonly HashSet<IPAddress> _usedAddresses;
    private readonly Dictionary<IPNetwork, PoolCursor> _cursors;
    private bool _disposed;

    private IpamStore(FileLock storeLock, string directory, string networkName, TimeProvider time, IpamState state)
    {
        _storeLock = storeLock;
        _directory = directory;
        _networkName = networkName;
        _time = time;
        _allocations = state.Allocations.ToDictionary(a => (a.ContainerId, a.IfName));
        _usedAddresses = [.. state.Allocations.SelectMany(a => a.Addresses)];
        _cursors = state.Cursors.ToDictionary(c => c.Pool);
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

            EnsurePrivateDirectory(dataDir);
        }

        string directory = Path.Combine(dataDir, networkName);
        EnsurePrivateDirectory(directory);

        FileLock heldLock = FileLock.Acquire(Path.Combine(directory, LockFileName), lockTimeout);
        try
        {
            string statePath = Path.Combine(directory, StateFileName);
            byte[]? content = ReadStateFile(statePath);
            IpamState state = content is null ? IpamState.Empty : IpamStateReader.Read(statePath, networkName, content);
            return new IpamStore(heldLock, directory, networkName, time, state);
        }
        catch
        {
            heldLock.Dispose();
            throw;
        }
    }

    public Allocation? Find(string containerId, string ifName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _allocations.GetValueOrDefault((containerId, ifName));
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
        if (_allocations.TryGetValue((containerId, ifName), out Allocation? existing))
        {
            return existing;
        }

        ValidatePools(pools);

        // Choose every address before changing anything, so an exhausted second pool leaves no trace.
        var chosen = new List<(PoolCursor Cursor, IPAddress Address, UInt128 Offset)>(pools.Count);
        foreach (IPNetwork pool in pools)
        {
            PoolCursor cursor = _cursors.GetValueOrDefault(pool) ?? new PoolCursor(pool, UInt128.Zero);
            if (!cursor.TryFindFree(_usedAddresses, out IPAddress address, out UInt128 offset))
            {
                throw new PoolExhaustedException(pool);
            }

            chosen.Add((cursor, address, offset));
        }

        var allocation = new Allocation(containerId, ifName, [.. chosen.Select(c => c.Address)], netns, _time.GetUtcNow(), pod);
        Dictionary<IPNetwork, UInt128> cursorsAfter = CurrentCursors();
        foreach ((PoolCursor cursor, _, UInt128 offset) in chosen)
        {
            cursorsAfter[cursor.Pool] = offset;
        }

        Persist(_allocations.Values.Append(allocation), cursorsAfter);

        _allocations.Add((containerId, ifName), allocation);
        foreach ((PoolCursor cursor, IPAddress address, UInt128 offset) in chosen)
        {
            _usedAddresses.Add(address);
            cursor.MoveTo(offset);
            _cursors.TryAdd(cursor.Pool, cursor);
        }

        return allocation;
    }

    /// <summary>Frees the attachment's addresses; false when it held none.</summary>
    public bool Release(string containerId, string ifName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_allocations.TryGetValue((containerId, ifName), out Allocation? allocation))
        {
            return false;
        }

        Persist(_allocations.Values.Where(a => !ReferenceEquals(a, allocation)), CurrentCursors());
        Forget(allocation);
        return true;
    }

    /// <summary>
    /// CNI GC: frees every attachment not in <paramref name="keep"/> in one write and returns what was freed.
    /// </summary>
    public IReadOnlyList<Allocation> ReleaseAllExcept(IReadOnlyCollection<(string ContainerId, string IfName)> keep)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(keep);
        var keepSet = new HashSet<(string, string)>(keep);
        List<Allocation> released = [.. Ordered(_allocations.Values.Where(a => !keepSet.Contains((a.ContainerId, a.IfName))))];
        if (released.Count == 0)
        {
            return released;
        }

        Persist(_allocations.Values.Where(a => keepSet.Contains((a.ContainerId, a.IfName))), CurrentCursors());
        foreach (Allocation allocation in released)
        {
            Forget(allocation);
        }

        return released;
    }

    /// <summary>All allocations, oldest first.</summary>
    public IReadOnlyList<Allocation> List()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return [.. Ordered(_allocations.Values)];
    }

    /// <summary>How many addresses of <paramref name="pool"/> can still be handed out (CNI STATUS reports 50 at zero).</summary>
    public UInt128 FreeAddresses(IPNetwork pool)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        UInt128 usable = new PoolCursor(pool, 0).UsableCount;
        UInt128 used = (UInt128)_usedAddresses.Count(address => Cidr.Contains(pool, address));
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

    /// <summary>
    /// Creates the directory (exactly 0700), or checks that the existing one is a real directory that only its owner
    /// (root, us) may change. An existing directory's mode is never changed: the plugin cannot tell a store directory
    /// it made earlier from someone else's directory named like the network (dataDir <c>/</c> with a network
    /// <c>usr</c> would otherwise chmod /usr). One that others could plant files in is refused instead.
    /// </summary>
    private static void EnsurePrivateDirectory(string path)
    {
        try
        {
            if (!PosixDirectory.Ensure(path, PrivateDirectoryMode))
            {
                using SafeFd fd = PosixDirectory.Open(path);
                FileStatus existing = PosixFile.Fstat(fd, path);
                if (existing.IsWritableByOthers || existing.Owner != ProcessIdentity.EffectiveUserId)
                {
                    throw new IpamStoreCorruptException(path,
                        existing.IsWritableByOthers
                            ? "is a directory writable by group or others; refusing to keep IPAM state there (make it 0700 or remove it)"
                            : $"is a directory owned by uid {existing.Owner}, not {ProcessIdentity.EffectiveUserId}; refusing to keep IPAM state there");
                }
            }
        }
        catch (UnexpectedFileTypeException e)
        {
            throw new IpamStoreCorruptException(e.Path, e.Reason, e);
        }
    }

    /// <summary>The state file's content, read without following a symlink; null when it does not exist.</summary>
    private static byte[]? ReadStateFile(string path)
    {
        SafeFd? fd;
        try
        {
            fd = PosixFile.TryOpenRegularFile(path, PosixOpenFlags.ReadOnly);
        }
        catch (UnexpectedFileTypeException e)
        {
            throw new IpamStoreCorruptException(path, e.Reason, e);
        }

        if (fd is null)
        {
            return null;
        }

        using (fd)
        {
            // Checked before reading: a huge file (a mistake or an attack) would take minutes and gigabytes, with the
            // store lock held. The file's mode is left as it is; the next write replaces it with a 0600 one.
            long size = PosixFile.Fstat(fd, path).Size;
            if (size > MaxStateBytes)
            {
                throw new IpamStoreCorruptException(path, $"is {size} bytes, more than the {MaxStateBytes} bytes a state file may have");
            }

            try
            {
                return PosixFile.ReadToEnd(fd, path, MaxStateBytes);
            }
            catch (IOException e) when (e is not LinuxException && PosixErrors.ErrnoOf(e) is null)
            {
                // Grew past the limit while being read.
                throw new IpamStoreCorruptException(path, e.Message, e);
            }
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

    private Dictionary<IPNetwork, UInt128> CurrentCursors() => _cursors.ToDictionary(c => c.Key, c => c.Value.LastOffset);

    private void Forget(Allocation allocation)
    {
        _allocations.Remove((allocation.ContainerId, allocation.IfName));
        foreach (IPAddress address in allocation.Addresses)
        {
            _usedAddresses.Remove(address);
        }
    }

    private void Persist(IEnumerable<Allocation> allocations, Dictionary<IPNetwork, UInt128> cursors)
    {
        var document = new IpamStateDocument
        {
            Version = IpamStateDocument.CurrentVersion,
            Network = _networkName,
            Pools = [.. cursors
                .OrderBy(c => Cidr.Format(c.Key), StringComparer.Ordinal)
                .Select(c => new PoolCursorDocument { Pool = Cidr.Format(c.Key), Last = Cidr.AddressAt(c.Key, c.Value).ToString() })],
            Allocations = [.. Ordered(allocations).Select(a => new AllocationDocument
            {
                ContainerId = a.ContainerId,
                IfName = a.IfName,
                Addresses = [.. a.Addresses.Select(x => x.ToString())],
                NetNs = a.NetNs,
                Created = a.Created,
                PodNamespace = a.Pod?.Namespace,
                PodName = a.Pod?.Name,
            })],
        };

        byte[] content = JsonSerializer.SerializeToUtf8Bytes(document, IpamStateJsonContext.Default.IpamStateDocument);
        // The store lock serializes writers, so a fixed temporary name is safe and a crash's leftover is reused.
        AtomicFile.Replace(Path.Combine(_directory, StateFileName), content, PrivateFileMode, TemporaryStateFileName);
    }
}
