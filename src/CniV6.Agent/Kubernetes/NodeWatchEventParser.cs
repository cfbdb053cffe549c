using System.Text;
using System.Text.Json;
using k8s;

namespace CniV6.Agent.Kubernetes;

/// <summary>
/// Parses one watch event line with the client library's source-generated JSON context (no reflection). Anything
/// that does not parse into an event — bad JSON, no type or object, an object of the wrong shape — is a
/// <see cref="KubernetesDataException"/>, which makes the informer list again instead of replaying the same event.
/// </summary>
internal static class NodeWatchEventParser
{
    public static NodeWatchEvent Parse(string line) => Parse(Encoding.UTF8.GetBytes(line));

    public static NodeWatchEvent Parse(ReadOnlyMemory<byte> line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String
                ? typeElement.GetString()
                : null;
            if (string.IsNullOrEmpty(type) || !root.TryGetProperty("object", out var body) || body.ValueKind != JsonValueKind.Object)
            {
                throw new KubernetesDataException("malformed watch event: no type or no object");
            }

            return type == NodeWatchEvent.Error
                ? new NodeWatchEvent(type, null, body.Deserialize(StatusSourceGenerationContext.Default.V1Status))
                : new NodeWatchEvent(type, body.Deserialize(SourceGenerationContext.Default.V1Node), null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            throw new KubernetesDataException($"malformed watch event: {e.Message}", e);
        }
    }
}
