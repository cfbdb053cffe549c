namespace CniV6.Agent.Dataplane;

/// <summary>
/// One concern of the node's dataplane (forwarding, the plugin binary, the conflist, pod routing, NAT). The
/// reconciler runs every controller in the order <see cref="DataplaneComposition"/> registers them, on every
/// change and every resync; a controller only brings its own concern in line with the state it is given.
/// </summary>
internal interface IDataplaneController
{
    /// <summary>Short lowercase name for logs and metrics (<c>forwarding</c>, <c>conflist</c>, …).</summary>
    string Name { get; }

    /// <summary>
    /// Idempotent: called again after any failure, so it must start from whatever it finds. Throws to fail the
    /// sync; the controllers after it wait for the retry.
    /// </summary>
    void Reconcile(SyncContext sync);
}
