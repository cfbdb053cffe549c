namespace CniV6.Agent.Dataplane.Routing;

/// <summary>
/// How pods reach the pods of other nodes (host-gw today; overlay and BGP modes plug in here). A mode owns what
/// it installs — routes with the agent's protocol number (<see cref="CniV6.Netlink.RouteProtocol.CniV6"/>),
/// devices it created, daemons it runs — and nothing else. One mode is active per agent, chosen by
/// <c>Routing:Mode</c>; a new mode is one class plus one line in <see cref="RoutingModes"/>.
/// </summary>
internal interface IRoutingMode
{
    /// <summary>The name in the configuration (<c>hostgw</c>); also what the agent records as the installed mode.</summary>
    string Name { get; }

    /// <summary>
    /// Bytes the pod MTU must leave below the uplink's for this mode's encapsulation in this state (0 without one).
    /// Asked before <see cref="Reconcile"/> in every sync, so the conflist follows the mode.
    /// </summary>
    int PodMtuOverhead(SyncContext sync);

    /// <summary>
    /// Makes what this mode owns match the state: adds what is missing, changes what is wrong, removes what no
    /// peer needs any more. Must adopt what an earlier agent process of the same mode left behind without
    /// disturbing it (a restart must not flap pod traffic).
    /// </summary>
    void Reconcile(SyncContext sync);

    /// <summary>
    /// Removes everything this mode installs (routes, devices, configuration), whatever the state; called once
    /// when the agent starts in another mode than the one recorded as installed. Tolerates it being gone already.
    /// </summary>
    void Remove();
}
