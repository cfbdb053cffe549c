using CniV6.Agent.Tests.Infrastructure;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>One two-segment topology shared by the overlay tests; each test starts the agents in the mode it needs.</summary>
[CollectionDefinition(Name)]
public sealed class OverlayCollection : ICollectionFixture<OverlayCluster>
{
    public const string Name = "overlay cluster";
}
