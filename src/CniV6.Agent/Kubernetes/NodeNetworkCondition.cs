using System.Globalization;
using System.Text.Json;
using CniV6.Agent.Configuration;
using CniV6.Agent.Health;
using CniV6.Agent.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Kubernetes;

/// <summary>
/// Sets this Node's <c>NetworkUnavailable</c> condition to False once the dataplane is ready (the first complete
/// sync), as Calico, Cilium and flannel do: cloud controllers (GCE, and route controllers generally) create nodes
/// with NetworkUnavailable=True and the matching <c>node.kubernetes.io/network-unavailable</c> taint, which keeps
/// every pod without hostNetwork off the node until a network plugin says otherwise. A strategic-merge patch on
/// nodes/NAME/status (RBAC: nodes/status patch) merges by condition type, so the kubelet's conditions are untouched.
/// Once per process, retried with back-off while the apiserver refuses; it never delays a sync.
/// </summary>
internal sealed partial class NodeNetworkCondition(AgentOptions options, KubernetesNodeApi api, AgentHealth health, TimeProvider time,
                                                   ILogger<NodeNetworkCondition> logger) : BackgroundService
{
    public const string ConditionType = "NetworkUnavailable";

    public const string Reason = "CniV6Ready";

    public const string Message = "cniv6-agent has set up the pod network (cniv6 conflist, routes and NAT) on this node";

    public const string PatchType = "application/strategic-merge-patch+json";

    /// <summary>Delays between attempts; replaced in tests.</summary>
    internal Backoff Retry { get; init; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

    private readonly RepeatedFailure _failures = new(time);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await health.FirstSync.WaitAsync(stoppingToken).ConfigureAwait(false);
            var uri = $"api/v1/nodes/{Uri.EscapeDataString(options.NodeName)}/status";
            while (true)
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    timeout.CancelAfter(TimeSpan.FromSeconds(10));
                    await api.PatchAsync(uri, ToPatch(time.GetUtcNow()), PatchType, timeout.Token).ConfigureAwait(false);
                    LogConditionSet(options.NodeName, Reason);
                    return;
                }
                catch (Exception e) when (e is not OutOfMemoryException && !stoppingToken.IsCancellationRequested)
                {
                    var delay = Retry.NextDelay();
                    var error = ExceptionText.OneLine(e);
                    switch (_failures.Record(error))
                    {
                        case FailureVerdict.First:
                            LogPatchFailed(options.NodeName, error, delay.TotalSeconds);
                            break;
                        case FailureVerdict.StillFailing:
                            LogPatchStillFailing(options.NodeName, _failures.Count, error);
                            break;
                    }

                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The patch body: one condition, merged into status.conditions by its type.</summary>
    internal static byte[] ToPatch(DateTimeOffset now)
    {
        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("status");
            json.WriteStartArray("conditions");
            json.WriteStartObject();
            json.WriteString("type", ConditionType);
            json.WriteString("status", "False");
            json.WriteString("reason", Reason);
            json.WriteString("message", Message);
            json.WriteString("lastTransitionTime", stamp);
            json.WriteString("lastHeartbeatTime", stamp);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
