using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using CniV6.Agent.Cluster;
using CniV6.Agent.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Kubernetes;

/// <summary>
/// Kubernetes Events (core/v1, namespace <c>default</c> as the kubelet posts Node events) about a Node, so that
/// <c>kubectl describe node</c> shows why this agent ignores what that Node claims. Queued and posted in the
/// background: a slow or failing apiserver never delays a sync, and a full queue drops the oldest report (the log
/// line was written anyway).
/// </summary>
internal sealed partial class KubernetesEventRecorder(AgentOptions options, KubernetesNodeApi api, TimeProvider time,
                                                      ILogger<KubernetesEventRecorder> logger) : BackgroundService, IClusterEvents
{
    private const string Namespace = "default";

    private readonly Channel<(string Node, string Reason, string Message, DateTimeOffset At)> _queue =
        Channel.CreateBounded<(string, string, string, DateTimeOffset)>(new BoundedChannelOptions(64)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });

    public void Warning(string nodeName, string reason, string message) =>
        _queue.Writer.TryWrite((nodeName, reason, message, time.GetUtcNow()));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (node, reason, message, at) in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                await api.PostAsync($"api/v1/namespaces/{Namespace}/events", ToJson(options.NodeName, node, reason, message, at), timeout.Token)
                         .ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogPostFailed(e, reason, node);
            }
        }
    }

    /// <summary>The Event object: written by hand (a handful of fields) to keep it independent of the model library.</summary>
    internal static byte[] ToJson(string reportingNode, string node, string reason, string message, DateTimeOffset at)
    {
        var stamp = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion", "v1");
            json.WriteString("kind", "Event");
            json.WriteStartObject("metadata");
            // Like client-go's recorder: the object's name plus a unique suffix.
            json.WriteString("name", $"{Truncate(node, 200)}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant()}");
            json.WriteString("namespace", Namespace);
            json.WriteEndObject();
            json.WriteStartObject("involvedObject");
            json.WriteString("apiVersion", "v1");
            json.WriteString("kind", "Node");
            json.WriteString("name", node);
            json.WriteEndObject();
            json.WriteString("reason", reason);
            json.WriteString("message", Truncate(message, 1024));
            json.WriteString("type", "Warning");
            json.WriteStartObject("source");
            json.WriteString("component", "cniv6-agent");
            json.WriteString("host", reportingNode);
            json.WriteEndObject();
            json.WriteString("reportingComponent", "cniv6-agent");
            json.WriteString("reportingInstance", reportingNode);
            json.WriteString("firstTimestamp", stamp);
            json.WriteString("lastTimestamp", stamp);
            json.WriteNumber("count", 1);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
