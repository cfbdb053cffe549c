using System.Text.Json.Serialization;

namespace CniV6.Core.Ipam;

/// <summary>The JSON shape of <c>state.json</c>. Everything is nullable so a truncated or edited file is
/// detected by validation rather than silently defaulted.</summary>
internal sealed class IpamStateDocument
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("version")]
    public int? Version { get; set; }

    [JsonPropertyName("network")]
    public string? Network { get; set; }

    [JsonPropertyName("pools")]
    public List<PoolCursorDocument?>? Pools { get; set; }

    [JsonPropertyName("allocations")]
    public List<AllocationDocument?>? Allocations { get; set; }
}

internal sealed class PoolCursorDocument
{
    [JsonPropertyName("pool")]
    public string? Pool { get; set; }

    /// <summary>The address handed out last from this pool; next-fit continues after it.</summary>
    [JsonPropertyName("last")]
    public string? Last { get; set; }
}

internal sealed class AllocationDocument
{
    [JsonPropertyName("containerId")]
    public string? ContainerId { get; set; }

    [JsonPropertyName("ifName")]
    public string? IfName { get; set; }

    [JsonPropertyName("addresses")]
    public List<string?>? Addresses { get; set; }

    [JsonPropertyName("netns")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NetNs { get; set; }

    [JsonPropertyName("created")]
    public DateTimeOffset? Created { get; set; }

    /// <summary>K8S_POD_NAMESPACE of the ADD; absent when the runtime passed none (and in files written before it existed).</summary>
    [JsonPropertyName("podNamespace")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PodNamespace { get; set; }

    /// <summary>K8S_POD_NAME of the ADD, written together with <see cref="PodNamespace"/>.</summary>
    [JsonPropertyName("podName")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PodName { get; set; }
}
