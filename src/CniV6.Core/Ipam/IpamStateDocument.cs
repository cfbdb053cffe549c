using System.Text.Json.Serialization;

namespace CniV6.Core.Ipam;

/// <summary>The JSON shape of <c>state.json</c>. Everything is nullable so a truncated or edited file is
/// detected by validation rather than silently defaulted.</summary>
/// <remarks>
/// Version 1 held every allocation and was rewritten whole on every change; it is read once, to migrate it.
/// Version 2 holds the pools' cursors only: each allocation is its own record (<see cref="AllocationRecords"/>,
/// <see cref="AddressClaims"/>). A plugin that knows only version 1 refuses version 2 ("unsupported version 2") rather
/// than starting an empty store beside the records and handing out addresses pods still hold.
/// </remarks>
internal sealed class IpamStateDocument
{
    public const int LegacyVersion = 1;
    public const int CurrentVersion = 2;

    [JsonPropertyName("version")]
    public int? Version { get; set; }

    [JsonPropertyName("network")]
    public string? Network { get; set; }

    [JsonPropertyName("pools")]
    public List<PoolCursorDocument?>? Pools { get; set; }

    /// <summary>Version 1 only: every allocation of the network.</summary>
    [JsonPropertyName("allocations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
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

/// <summary>One allocation: an entry of a version 1 <c>state.json</c>, and the whole content of a record file.</summary>
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
