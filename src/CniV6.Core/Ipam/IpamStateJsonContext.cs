using System.Text.Json.Serialization;

namespace CniV6.Core.Ipam;

// Compact: state.json is rewritten on every allocation, a record is written per allocation (jq formats them for people).
[JsonSourceGenerationOptions(
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(IpamStateDocument))]
[JsonSerializable(typeof(AllocationDocument))]
internal sealed partial class IpamStateJsonContext : JsonSerializerContext;
