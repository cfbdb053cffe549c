using System.Text.Json.Serialization;

namespace CniV6.Core.NodeState;

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(AgentNodeRecord))]
[JsonSerializable(typeof(OverlayRecord))]
internal sealed partial class NodeStateJsonContext : JsonSerializerContext;
