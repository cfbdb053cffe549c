namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>A rendered BIRD configuration and the sessions it defines.</summary>
/// <param name="Text">The whole bird.conf.</param>
/// <param name="Sessions">Its BGP sessions, for per-peer status.</param>
/// <param name="Unroutable">Peers (or families) that get no session, and why; reported, never fatal.</param>
internal sealed record BirdConfig(string Text, IReadOnlyList<BirdSession> Sessions, IReadOnlyList<string> Unroutable);
