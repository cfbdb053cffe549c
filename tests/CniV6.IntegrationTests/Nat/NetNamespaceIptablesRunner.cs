using CniV6.Core.Nat;

namespace CniV6.IntegrationTests.Nat;

/// <summary>Runs the real iptables programs inside a test namespace (<c>ip netns exec</c>) and counts the launches.</summary>
internal sealed class NetNamespaceIptablesRunner(string namespaceName) : IIptablesRunner
{
    private readonly ProcessIptablesRunner inner = new(TimeSpan.FromSeconds(30));

    public int Launches { get; private set; }

    public List<string> Programs { get; } = [];

    public IptablesResult Run(string program, IReadOnlyList<string> arguments, string? standardInput)
    {
        Launches++;
        Programs.Add(program);
        return inner.Run("ip", ["netns", "exec", namespaceName, program, .. arguments], standardInput);
    }
}
