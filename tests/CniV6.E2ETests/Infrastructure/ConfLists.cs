using System.Text.Json.Nodes;

namespace CniV6.E2ETests.Infrastructure;

/// <summary>Builds the network configurations the tests feed to libcni or to the plugin directly.</summary>
internal static class ConfLists
{
    /// <summary>A network configuration list (the file kubelet/containerd read from /etc/cni/net.d).</summary>
    public static JsonObject List(string name, string cniVersion, params JsonObject[] plugins) => new()
    {
        ["cniVersion"] = cniVersion,
        ["name"] = name,
        ["plugins"] = new JsonArray(plugins.Cast<JsonNode>().ToArray()),
    };

    /// <summary>The cniv6 plugin entry with its own IPAM over <paramref name="pools"/>; state and log go to the node's temp dir.</summary>
    public static JsonObject CniV6(E2ENode node, params string[] pools) =>
        CniV6(node, new JsonObject
        {
            ["type"] = "cniv6",
            ["pools"] = new JsonArray(pools.Select(p => (JsonNode)JsonValue.Create(p)).ToArray()),
            ["dataDir"] = node.DataDir,
        });

    /// <summary>
    /// The backend most end-to-end tests pin: they read the rules back with iptables-save. The product default (auto:
    /// nftables where it works) has its own tests (NftablesMasqueradeTests), which remove the field.
    /// </summary>
    public const string DefaultNatBackend = "iptables";

    /// <summary>The cniv6 plugin entry with the given <c>ipam</c> section.</summary>
    public static JsonObject CniV6(E2ENode node, JsonObject ipam) => new()
    {
        ["type"] = "cniv6",
        ["mtu"] = 1500,
        ["ipMasq"] = true,
        ["natBackend"] = DefaultNatBackend,
        ["ipam"] = ipam,
        ["logFile"] = node.LogFile,
    };

    /// <summary>The reference host-local IPAM with one range set per subnet; its state lives in the node's temp dir.</summary>
    public static JsonObject HostLocalIpam(E2ENode node, params string[] subnets) => new()
    {
        ["type"] = "host-local",
        ["ranges"] = new JsonArray(subnets
            .Select(s => (JsonNode)new JsonArray(new JsonObject { ["subnet"] = s }))
            .ToArray()),
        ["dataDir"] = Path.Combine(node.WorkDir, "host-local"),
    };

    /// <summary>Debian's portmap, chained after the interface plugin, receiving portMappings from the runtime.</summary>
    public static JsonObject PortMap() => new()
    {
        ["type"] = "portmap",
        ["capabilities"] = new JsonObject { ["portMappings"] = true },
        ["snat"] = true,
    };

    /// <summary>The reference ptp plugin (host-local IPAM with default routes, ipMasq on) — the baseline we compare with.</summary>
    public static JsonObject Ptp(E2ENode node, params string[] subnets)
    {
        JsonObject ipam = HostLocalIpam(node, subnets);
        ipam["routes"] = new JsonArray(new JsonObject { ["dst"] = "::/0" }, new JsonObject { ["dst"] = "0.0.0.0/0" });
        return new JsonObject
        {
            ["type"] = "ptp",
            ["mtu"] = 1500,
            ["ipMasq"] = true,
            ["ipam"] = ipam,
        };
    }
}
