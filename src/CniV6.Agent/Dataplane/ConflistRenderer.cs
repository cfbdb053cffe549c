using System.Net;
using System.Text.Json;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;

namespace CniV6.Agent.Dataplane;

/// <summary>
/// Renders the network list the container runtime hands to the plugin. The pools and masquerade exclusions are
/// the only channel from the agent to the plugin, so everything the plugin needs per node is in here.
/// </summary>
internal static class ConflistRenderer
{
    public static byte[] Render(AgentOptions options, ClusterState state, int mtu)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("cniVersion", "1.0.0");
            json.WriteString("name", options.NetworkName);
            json.WriteStartArray("plugins");

            json.WriteStartObject();
            json.WriteString("type", "cniv6");
            json.WriteNumber("mtu", mtu);
            json.WriteBoolean("ipMasq", options.IpMasq);
            WriteNetworks(json, "masqueradeExclude", state.ClusterPodCidrs);
            json.WriteStartObject("ipam");
            json.WriteString("type", "cniv6");
            WriteNetworks(json, "pools", state.LocalPools);
            json.WriteString("dataDir", options.IpamDataDir);
            json.WriteEndObject();
            json.WriteEndObject();

            if (options.Portmap)
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

    private static void WriteNetworks(Utf8JsonWriter json, string name, IEnumerable<IPNetwork> networks)
    {
        json.WriteStartArray(name);
        foreach (var network in networks)
        {
            json.WriteStringValue(network.ToString());
        }

        json.WriteEndArray();
    }
}
