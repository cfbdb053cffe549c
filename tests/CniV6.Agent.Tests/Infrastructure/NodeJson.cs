using System.Text;
using System.Text.Json;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>
/// Writes Node objects the way kube-apiserver serializes them (field names, nesting, timestamps, quantities,
/// conditions), so the agent's parsing is tested against the real wire format rather than a simplified one.
/// </summary>
internal static class NodeJson
{
    public static void Write(Utf8JsonWriter json, FakeNode node, long resourceVersion)
    {
        json.WriteStartObject();
        json.WriteString("kind", "Node");
        json.WriteString("apiVersion", "v1");
        json.WriteStartObject("metadata");
        json.WriteString("name", node.Name);
        json.WriteString("uid", DeterministicUid(node.Name));
        json.WriteString("resourceVersion", resourceVersion.ToString());
        json.WriteString("creationTimestamp", "2026-11-24T00:00:00Z");
        json.WriteStartObject("labels");
        json.WriteString("kubernetes.io/arch", "amd64");
        json.WriteString("kubernetes.io/hostname", node.Name);
        json.WriteString("kubernetes.io/os", "linux");
        json.WriteEndObject();
        json.WriteStartObject("annotations");
        json.WriteString("node.alpha.kubernetes.io/ttl", "0");
        json.WriteString("volumes.kubernetes.io/controller-managed-attach-detach", "true");
        if (node.PaddingBytes > 0)
        {
            json.WriteString("cv6.test/padding", new string('x', node.PaddingBytes));
        }
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartObject("spec");
        if (node.PodCidrs.Length > 0)
        {
            json.WriteString("podCIDR", node.PodCidrs[0]);
            json.WriteStartArray("podCIDRs");
            foreach (var cidr in node.PodCidrs)
            {
                json.WriteStringValue(cidr);
            }

            json.WriteEndArray();
        }

        json.WriteString("providerID", $"kind://docker/cv6a/{node.Name}");
        json.WriteEndObject();

        json.WriteStartObject("status");
        json.WriteStartObject("capacity");
        json.WriteString("cpu", "2");
        json.WriteString("ephemeral-storage", "102625208Ki");
        json.WriteString("memory", "24684068Ki");
        json.WriteString("pods", "110");
        json.WriteEndObject();
        json.WriteStartArray("conditions");
        json.WriteStartObject();
        json.WriteString("type", "Ready");
        json.WriteString("status", "True");
        json.WriteString("lastHeartbeatTime", "2026-11-24T00:00:00Z");
        json.WriteString("lastTransitionTime", "2026-11-24T00:00:00Z");
        json.WriteString("reason", "KubeletReady");
        json.WriteString("message", "kubelet is posting ready status");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartArray("addresses");
        foreach (var address in node.InternalIPs)
        {
            json.WriteStartObject();
            json.WriteString("type", "InternalIP");
            json.WriteString("address", address);
            json.WriteEndObject();
        }

        json.WriteStartObject();
        json.WriteString("type", "Hostname");
        json.WriteString("address", node.Name);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartObject("nodeInfo");
        json.WriteString("kubeletVersion", "v1.34.0");
        json.WriteString("containerRuntimeVersion", "containerd://2.1.4");
        json.WriteString("operatingSystem", "linux");
        json.WriteString("architecture", "amd64");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static string ToJson(FakeNode node, long resourceVersion)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, node, resourceVersion);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string DeterministicUid(string name)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
