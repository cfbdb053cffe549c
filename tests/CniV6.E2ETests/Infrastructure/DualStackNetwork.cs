using System.Text.Json.Nodes;

namespace CniV6.E2ETests.Infrastructure;

/// <summary>The standard test network: cniv6 with its own IPAM over one IPv6 and one IPv4 pool, ipMasq on.</summary>
internal static class DualStackNetwork
{
    public const string Name = "cv6e-dual";

    /// <summary>Writes the conflist for <paramref name="cniVersion"/> and returns its path.</summary>
    public static string Write(E2ENode node, string cniVersion = "1.0.0", params JsonObject[] chained) =>
        node.WriteConfig(ConfLists.List(Name, cniVersion, [ConfLists.CniV6(node, Pools.IPv6, Pools.IPv4), .. chained]));
}
