namespace CniV6.Agent.Health;

/// <summary>Liveness and readiness as the health endpoint reports them.</summary>
internal sealed class AgentHealth(TimeProvider time)
{
    private long _lastHeartbeatTicks = time.GetUtcNow().UtcTicks;
    private int _ready;

    /// <summary>Ready once the dataplane has been synced at least once (conflist written, routes and NAT in place).</summary>
    public bool IsReady => Volatile.Read(ref _ready) == 1;

    public void MarkReady() => Volatile.Write(ref _ready, 1);

    /// <summary>The reconciler loop reports in every pass; a loop stuck in a kernel call stops doing so.</summary>
    public void Heartbeat() => Interlocked.Exchange(ref _lastHeartbeatTicks, time.GetUtcNow().UtcTicks);

    public bool IsLive(TimeSpan maxSilence) =>
        time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastHeartbeatTicks) <= maxSilence.Ticks;
}
