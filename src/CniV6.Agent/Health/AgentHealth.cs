namespace CniV6.Agent.Health;

/// <summary>Liveness and readiness as the health endpoint reports them.</summary>
internal sealed class AgentHealth(TimeProvider time)
{
    private readonly TaskCompletionSource _firstSync = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastHeartbeatTicks = time.GetUtcNow().UtcTicks;

    /// <summary>Ready once the dataplane has been synced at least once (conflist written, routes and NAT in place).</summary>
    public bool IsReady => _firstSync.Task.IsCompleted;

    /// <summary>Completes with the first successful sync.</summary>
    public Task FirstSync => _firstSync.Task;

    public void MarkReady() => _firstSync.TrySetResult();

    /// <summary>The reconciler loop reports in every pass; a loop stuck in a kernel call stops doing so.</summary>
    public void Heartbeat() => Interlocked.Exchange(ref _lastHeartbeatTicks, time.GetUtcNow().UtcTicks);

    public bool IsLive(TimeSpan maxSilence) =>
        time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastHeartbeatTicks) <= maxSilence.Ticks;
}
