using System.Net;
using System.Net.Sockets;
using CniV6.Plugin.Cni;

namespace CniV6.Plugin;

/// <summary>
/// Whether the node (the plugin's network namespace) can carry IPv6 at all. With IPv6 disabled the kernel refuses
/// the gateway address and the routes deep inside ADD with a bare EACCES; checked up front, the runtime gets a
/// message that says what is wrong and the node is left untouched.
/// </summary>
internal static class NodeIPv6
{
    private const string ConfDirectory = "/proc/sys/net/ipv6/conf";

    /// <exception cref="CniException">Code 100 when <paramref name="pools"/> has an IPv6 pool and IPv6 is disabled.</exception>
    public static void RequireEnabledFor(IReadOnlyList<IPNetwork> pools)
    {
        var pool = pools.FirstOrDefault(p => p.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6);
        if (pool == default || DisabledBy() is not { } setting)
        {
            return;
        }

        throw new CniException(
            CniErrorCode.PluginFailure,
            $"IPv6 is disabled on this node ({setting}) but the network has the IPv6 pool {pool}",
            "enable IPv6 (sysctl net.ipv6.conf.all.disable_ipv6=0 and net.ipv6.conf.default.disable_ipv6=0) or configure only an IPv4 pool");
    }

    /// <summary>The sysctl that disables IPv6 for new interfaces ("net.ipv6.conf.all.disable_ipv6=1"), or null.</summary>
    private static string? DisabledBy()
    {
        if (!Directory.Exists(ConfDirectory))
        {
            return "the kernel has no IPv6 support (ipv6.disable=1 or no ipv6 module)";
        }

        foreach (var scope in (string[])["all", "default"])
        {
            var path = Path.Combine(ConfDirectory, scope, "disable_ipv6");
            if (File.Exists(path) && File.ReadAllText(path).Trim() == "1")
            {
                return $"net.ipv6.conf.{scope}.disable_ipv6=1";
            }
        }

        return null;
    }
}
