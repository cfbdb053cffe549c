using System.Text.Json.Serialization;

namespace CniV6.Core.Ipam;

[JsonSourceGenerationOptions(
    WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(IpamStateDocument))]
internal sealed partial class IpamStateJsonContext : JsonSerializerContext;
