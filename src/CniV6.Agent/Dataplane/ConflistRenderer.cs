using System.Text.Json;
using System.Text.Json.Nodes;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using CniV6.Core.Config;

namespace CniV6.Agent.Dataplane;

/// <summary>
/// Renders the network list the container runtime hands to the plugin. The pools and masquerade exclusions are
/// the only channel from the agent to the plugin, so everything the plugin needs per node is in here. The cniv6
/// entry is a <see cref="NetworkConfig"/> written by <see cref="NetworkConfigWriter"/>: the same type the plugin's
/// <see cref="NetworkConfigParser"/> produces, so the two cannot drift apart.
/// </summary>
internal static class ConflistRenderer
{
    /// <summary>
    /// The version a runtime that reads only <c>"cniVersion"</c> uses. Not 1.1.0: libcni before 1.2 (Debian's 1.1.2,
    /// containerd 1.7, CRI-O 1.2x) implements the spec up to 1.0.0 and fails every ADD of a 1.1.0 list, because it
    /// cannot decode the plugin's 1.1.0 result ("unsupported CNI result version"). The e2e test through that
    /// libcni proves both halves of this.
    /// </summary>
    public const string CniVersion = "1.0.0";

    /// <summary>
    /// Every version the list supports. The spec (SPEC.md "Version considerations") has runtimes pick the highest
    /// version from <c>cniVersion</c> and <c>cniVersions</c> that they implement; libcni ≥ 1.2 does exactly that
    /// (conf.go), so it runs the list at 1.1.0 and can call GC and STATUS, which it calls only at ≥ 1.1.0.
    /// </summary>
    public static IReadOnlyList<string> CniVersions { get; } = ["1.0.0", "1.1.0"];

    /// <summary>The list for this node; <paramref name="portmap"/> chains the reference portmap after cniv6 (hostPort).</summary>
    public static byte[] Render(AgentOptions options, ClusterState state, int mtu, bool portmap)
    {
        var cniv6 = new NetworkConfig
        {
            Name = options.NetworkName,
            CniVersion = CniVersion,
            Type = NetworkConfig.PluginType,
            Mtu = mtu,
            IpMasq = options.IpMasq,
            NatBackend = options.NatBackend,
            MasqueradeExclude = state.ClusterPodCidrs,
            Ipam = new IpamConfig { Pools = state.LocalPools, DataDir = options.IpamDataDir },
        };

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("cniVersion", cniv6.CniVersion);
            json.WriteStartArray("cniVersions");
            foreach (var version in CniVersions)
            {
                json.WriteStringValue(version);
            }

            json.WriteEndArray();
            json.WriteString("name", cniv6.Name);
            json.WriteStartArray("plugins");
            NetworkConfigWriter.WritePlugin(json, cniv6);
            if (portmap)
            {
                json.WriteStartObject();
                json.WriteString("type", "portmap");
                json.WriteStartObject("capabilities");
                json.WriteBoolean("portMappings", true);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>
    /// Why the plugin would refuse the cniv6 entry of <paramref name="conflist"/> — its own parser run on the stdin a
    /// runtime builds from the list (the entry plus the list's name and cniVersion) — or null when it accepts it.
    /// A conflist the plugin refuses fails every ADD on the node, so it is never written.
    /// </summary>
    public static string? PluginRefusal(byte[] conflist)
    {
        var list = JsonNode.Parse(conflist)!.AsObject();
        var plugin = list["plugins"]![0]!.DeepClone().AsObject();
        plugin["name"] = list["name"]!.GetValue<string>();
        plugin["cniVersion"] = list["cniVersion"]!.GetValue<string>();
        using var stdin = new MemoryStream();
        using (var json = new Utf8JsonWriter(stdin))
        {
            plugin.WriteTo(json);
        }

        try
        {
            NetworkConfigParser.Parse(stdin.ToArray(), CniCommand.Add);
            return null;
        }
        catch (ConfigException e)
        {
            return e.Details.Length > 0 ? $"{e.Message} ({e.Details})" : e.Message;
        }
    }
}
