namespace CniV6.E2ETests.Operability;

/// <summary>Doctor and ipam tests run one at a time: each builds a node with libcni, iptables (and radvd); the machine is small.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OperabilityCollection
{
    public const string Name = "operability";
}
