using System.Threading.Channels;

namespace CniV6.Agent.Cluster;

/// <summary>
/// Latest-value hand-over between a cluster source and the dataplane reconciler. Sources publish as often as they
/// like; the reconciler sees only the newest state and is woken once per burst of changes.
/// </summary>
internal sealed class ClusterStateStore
{
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private ClusterState? _current;

    public ClusterState? Current => Volatile.Read(ref _current);

    /// <summary>When the last state that differed from its predecessor was published (for latency measurements).</summary>
    public DateTimeOffset LastChange { get; private set; }

    /// <summary>Returns true when the state differs from the previous one (and wakes the reconciler).</summary>
    public bool Publish(ClusterState state, TimeProvider time)
    {
        var previous = Interlocked.Exchange(ref _current, state);
        if (state.Equals(previous))
        {
            return false;
        }

        LastChange = time.GetUtcNow();
        _changed.Writer.TryWrite(true);
        return true;
    }

    /// <summary>Waits for a change or until <paramref name="timeout"/>; true when woken by a change.</summary>
    public async Task<bool> WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await _changed.Reader.ReadAsync(timeoutSource.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
