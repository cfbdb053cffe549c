namespace CniV6.Agent.Dataplane.Routing.HostGateway;

/// <summary>The node's routing table as far as host-gw routes go; implemented over rtnetlink, faked in tests.</summary>
internal interface INodeRouteTable
{
    /// <summary>Only routes cniv6 installed as node routes (its protocol number, with a gateway) in the main table.</summary>
    IReadOnlyList<NodeRoute> ListOwnedRoutes();

    /// <summary>
    /// Creates the route only if nothing is routed to its destination at its metric yet (NLM_F_EXCL); false when
    /// something is (someone else's route, which must never be overwritten).
    /// </summary>
    bool TryAdd(NodeRoute route);

    /// <summary>Changes a route this table listed as owned (same destination, new gateway or interface).</summary>
    void Replace(NodeRoute route);

    void Delete(NodeRoute route);
}
