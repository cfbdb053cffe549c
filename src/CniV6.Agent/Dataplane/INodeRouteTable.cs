namespace CniV6.Agent.Dataplane;

/// <summary>The node's routing table as far as host-gw routes go; implemented over rtnetlink, faked in tests.</summary>
internal interface INodeRouteTable
{
    /// <summary>Only routes cniv6 installed as node routes (its protocol number, with a gateway) in the main table.</summary>
    IReadOnlyList<NodeRoute> ListOwnedRoutes();

    void Replace(NodeRoute route);

    void Delete(NodeRoute route);
}
