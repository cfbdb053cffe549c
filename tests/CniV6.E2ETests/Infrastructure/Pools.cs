namespace CniV6.E2ETests.Infrastructure;

/// <summary>The address pools the tests configure (the README's example node pools).</summary>
internal static class Pools
{
    public const string IPv6 = "fd00:10:244:1::/64";
    public const string IPv4 = "10.244.1.0/24";

    /// <summary>Pools for the host-local delegation test (the example ranges).</summary>
    public const string HostLocalIPv6 = "fd00:20::/64";
    public const string HostLocalIPv4 = "10.20.0.0/24";
}
