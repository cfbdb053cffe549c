using System.Text.Json.Serialization;

namespace CniV6.Core.Ipam;

// Compact: the file is rewritten on every change and may hold thousands of entries (jq formats it for people).
[JsonSourceGenerationOptions(
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(IpamStateDocument))]
internal sealed partial class IpamStateJsonContext : JsonSerializerContext;
