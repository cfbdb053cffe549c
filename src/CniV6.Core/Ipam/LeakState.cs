namespace CniV6.Core.Ipam;

/// <summary>What <see cref="LeakedAllocations"/> says about one allocation: the first reason to keep it, or that it leaked.</summary>
public enum LeakState
{
    /// <summary>Its namespace exists, or cannot be judged from here (unrecorded, relative, not mounted in): kept.</summary>
    NetnsPresentOrUnknown,

    /// <summary>Its namespace is gone but its host veth is still on the node: kept (DEL or GC will come).</summary>
    HostVethPresent,

    /// <summary>An ADD or DEL of the attachment holds its lock: kept.</summary>
    InFlight,

    /// <summary>Leaked, but younger than the grace period: the agent reclaims it once the period is over.</summary>
    WithinGrace,

    /// <summary>Leaked: the agent's reclaim releases it on its next pass.</summary>
    Leaked,
}
