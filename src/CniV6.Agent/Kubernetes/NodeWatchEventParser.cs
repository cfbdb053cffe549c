using System.Text.Json;
using k8s;

namespace CniV6.Agent.Kubernetes;

/// <summary>Parses one watch event line with the client library's source-generated JSON context (no reflection).</summary>
internal static class NodeWatchEventParser
{
    public static NodeWatchEvent Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var type = root.TryGetProperty("type", out var typeElement) ? typeElement.GetString() : null;
        if (string.IsNullOrEmpty(type) || !root.TryGetProperty("object", out var body))
        {
            throw new JsonException("watch event without type or object");
        }

        return type == NodeWatchEvent.Error
            ? new NodeWatchEvent(type, null, body.Deserialize(StatusSourceGenerationContext.Default.V1Status))
            : new NodeWatchEvent(type, body.Deserialize(SourceGenerationContext.Default.V1Node), null);
    }
}
