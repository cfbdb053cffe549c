using CniV6.Agent.Tests.Infrastructure;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>One ToR topology shared by the bgp mode tests; each test starts the agents (and the ToR) it needs.</summary>
[CollectionDefinition(Name)]
public sealed class BgpCollection : ICollectionFixture<BgpCluster>
{
    public const string Name = "bgp cluster";
}
