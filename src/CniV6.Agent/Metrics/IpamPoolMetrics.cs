using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
using CniV6.Core.Ipam;
using CniV6.Linux;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Metrics;

/// <summary>
/// <c>cniv6_ipam_pool_size</c>, <c>_used</c> and <c>_free</c> per pool of this node (and family) for the agent's
/// network, read from the plugin's IPAM store at scrape time through its own API (under its lock, briefly, so what
/// is shown is what the plugin would see) at most once per <see cref="MinInterval"/>, so a scrape storm never
/// contends with ADDs for the lock. A store that does not exist yet reports every pool unused; one that cannot be read
/// keeps the last values and is logged once while it lasts.
/// </summary>
internal sealed partial class IpamPoolMetrics
{
    internal static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(1);

    private readonly AgentOptions _options;
    private readonly ClusterStateStore _cluster;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private IReadOnlyList<PoolUsage> _pools = [];
    private long _readAt = long.MinValue;
    private string? _lastProblem;

    public IpamPoolMetrics(AgentOptions options, ClusterStateStore cluster, AgentMetrics metrics, TimeProvider time, ILogger logger)
    {
        _options = options;
        _cluster = cluster;
        _time = time;
        _logger = logger;
        metrics.AddScrapeHook(Refresh);
        metrics.ObserveGauge("cniv6_ipam_pool_size", "Addresses the pool can hand out (the first address and an IPv4 broadcast are never used).", () => Observe(p => p.Size));
        metrics.ObserveGauge("cniv6_ipam_pool_used", "Addresses of the pool allocated to pods.", () => Observe(p => p.Used));
        metrics.ObserveGauge("cniv6_ipam_pool_free", "Addresses of the pool still free.", () => Observe(p => p.Free));
    }

    /// <summary>One pool's counts at the last read.</summary>
    internal sealed record PoolUsage(IPNetwork Pool, double Size, double Used, double Free);

    /// <summary>Reads the store unless it was read less than <see cref="MinInterval"/> ago.</summary>
    public void Refresh()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (_readAt != long.MinValue && _time.GetElapsedTime(_readAt, now) < MinInterval)
            {
                return;
            }

            _readAt = now;
            try
            {
                _pools = Read(_cluster.Current?.LocalPools ?? []);
                _lastProblem = null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException or IpamStoreCorruptException)
            {
                if (e.Message != _lastProblem)
                {
                    LogStoreUnreadable(_options.NetworkName, e.Message);
                    _lastProblem = e.Message;
                }
            }
        }
    }

    private IReadOnlyList<PoolUsage> Read(IReadOnlyList<IPNetwork> pools)
    {
        if (pools.Count == 0)
        {
            return [];
        }

        // Never create a store: only one the plugin made (a directory holding its state file) is opened.
        var state = Path.Combine(_options.IpamDataDir, _options.NetworkName, "state.json");
        if (!PosixFile.TryStat(state, followSymlinks: false, out var status) || status.Type != PosixFileType.RegularFile)
        {
            return [.. pools.Select(p => new PoolUsage(p, Usable(p), 0, Usable(p)))];
        }

        using var store = IpamStore.Open(_options.IpamDataDir, _options.NetworkName, LockTimeout);
        var addresses = store.List().SelectMany(a => a.Addresses).ToArray();
        return [.. pools.Select(pool =>
        {
            double used = addresses.Count(a => CniV6.Netlink.Cidr.Contains(pool, a));
            var free = (double)store.FreeAddresses(pool);
            return new PoolUsage(pool, used + free, used, free);
        })];
    }

    /// <summary>What an empty store reports free: the pool's size less its first address (and an IPv4 broadcast).</summary>
    private static double Usable(IPNetwork pool)
    {
        var size = (double)CniV6.Netlink.Cidr.Size(pool);
        var reserved = pool.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 2 : 1;
        return Math.Max(0, size - reserved);
    }

    private IEnumerable<Measurement<double>> Observe(Func<PoolUsage, double> value)
    {
        IReadOnlyList<PoolUsage> pools;
        lock (_lock)
        {
            pools = _pools;
        }

        foreach (var pool in pools)
        {
            yield return new Measurement<double>(
                value(pool),
                new KeyValuePair<string, object?>("network", _options.NetworkName),
                new KeyValuePair<string, object?>("pool", pool.Pool.ToString()),
                new KeyValuePair<string, object?>("family", pool.Pool.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4"));
        }
    }

    [LoggerMessage(EventId = 911, Level = LogLevel.Warning, Message = "IPAM pool metrics: the store of network {Network} could not be read: {Reason}")]
    private partial void LogStoreUnreadable(string network, string reason);
}
