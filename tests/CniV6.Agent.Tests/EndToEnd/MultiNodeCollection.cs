using CniV6.Agent.Tests.Infrastructure;

namespace CniV6.Agent.Tests.EndToEnd;

/// <summary>One cluster shared by the multi-node tests (building it takes a few seconds).</summary>
[CollectionDefinition(Name)]
public sealed class MultiNodeCollection : ICollectionFixture<MultiNodeCluster>
{
    public const string Name = "multi-node cluster";
}
