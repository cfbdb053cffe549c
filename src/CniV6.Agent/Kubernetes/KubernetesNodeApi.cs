using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace CniV6.Agent.Kubernetes;

/// <summary>
/// Node list and watch over the KubernetesClient.Aot connection. The library provides the kubeconfig / in-cluster
/// loading, TLS (cluster CA, client certificates) and credentials; it has no watch under AOT, so the watch stream
/// (<c>?watch=true</c>, one JSON event per line) is read here and parsed with the library's generated JSON context.
/// </summary>
internal sealed class KubernetesNodeApi(k8s.Kubernetes client) : INodeApi, IDisposable
{
    private const int PageSize = 500;

    /// <summary>
    /// Pages before a list is given up as a server that never stops sending continue tokens (at 500 a page, far more
    /// Nodes than a cluster may have).
    /// </summary>
    private const int MaxListPages = 200;

    /// <summary>
    /// Longest watch line (one event) accepted. etcd refuses objects over 1.5 MiB by default, so no real Node event
    /// comes near this; a longer line is a broken or hostile server, and the informer lists again.
    /// </summary>
    internal int MaxWatchLineBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Largest list page accepted: 500 Nodes of 128 KiB each, ten times a busy real Node object.</summary>
    internal int MaxListPageBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>In-cluster service account when <paramref name="kubeconfig"/> is null, else that file's current context.</summary>
    public static KubernetesNodeApi Create(string? kubeconfig)
    {
        var configuration = kubeconfig is null
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        return new KubernetesNodeApi(new k8s.Kubernetes(configuration));
    }

    public async Task<V1NodeList> ListAsync(CancellationToken cancellationToken)
    {
        // Pages are stitched together; the list's resourceVersion is that of the first page's snapshot.
        V1NodeList? result = null;
        string? continueToken = null;
        var pages = 0;
        do
        {
            if (++pages > MaxListPages)
            {
                throw new KubernetesDataException($"the Node list did not end after {MaxListPages} pages");
            }

            var query = $"api/v1/nodes?limit={PageSize}" + (continueToken is null ? "" : $"&continue={Uri.EscapeDataString(continueToken)}");
            using var response = await SendAsync(query, cancellationToken).ConfigureAwait(false);
            var body = await BoundedBody.ReadAsync(response.Content, MaxListPageBytes, "Node list", cancellationToken).ConfigureAwait(false);
            V1NodeList page;
            try
            {
                page = JsonSerializer.Deserialize(body.Span, SourceGenerationContext.Default.V1NodeList) ?? throw new JsonException("empty NodeList");
            }
            catch (JsonException e)
            {
                throw new KubernetesDataException($"malformed Node list: {e.Message}", e);
            }

            if (result is null)
            {
                result = page;
                result.Items ??= [];
            }
            else
            {
                foreach (var node in page.Items ?? [])
                {
                    result.Items.Add(node);
                }
            }

            continueToken = page.Metadata?.ContinueProperty is { Length: > 0 } next ? next : null;
        }
        while (continueToken is not null);

        return result;
    }

    public async IAsyncEnumerable<NodeWatchEvent> WatchAsync(string resourceVersion, TimeSpan serverTimeout,
                                                              [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The server ends the watch after timeoutSeconds; a connection that dies silently is caught by the local
        // deadline a little later, so a half-open TCP connection cannot freeze the informer.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(serverTimeout + TimeSpan.FromSeconds(30));
        var query = $"api/v1/nodes?watch=true&allowWatchBookmarks=true&timeoutSeconds={(int)serverTimeout.TotalSeconds}" +
                    $"&resourceVersion={Uri.EscapeDataString(resourceVersion)}";
        using var response = await SendAsync(query, deadline.Token).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var reader = new WatchLineReader(stream, MaxWatchLineBytes);
            while (true)
            {
                ReadOnlyMemory<byte>? line;
                try
                {
                    line = await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }

                if (line is not { } text)
                {
                    yield break;
                }

                if (!IsBlank(text.Span))
                {
                    yield return NodeWatchEventParser.Parse(text);
                }
            }
        }
    }

    /// <summary>POSTs a JSON object (an Event) through the same connection, credentials and error handling.</summary>
    public async Task PostAsync(string relativeUri, byte[] json, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await SendAsync(relativeUri, cancellationToken, HttpMethod.Post, content).ConfigureAwait(false);
    }

    /// <summary>PATCHes with the given patch type (e.g. <c>application/strategic-merge-patch+json</c>) through the same connection.</summary>
    public async Task PatchAsync(string relativeUri, byte[] patch, string patchType, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(patch);
        content.Headers.ContentType = new MediaTypeHeaderValue(patchType);
        using var response = await SendAsync(relativeUri, cancellationToken, HttpMethod.Patch, content).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendAsync(string relativeUri, CancellationToken cancellationToken,
                                                      HttpMethod? method = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, new Uri(client.BaseUri, relativeUri)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("cniv6-agent", "1"));
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var response = await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                // Only the start of an error body is ever shown, so only that much is read.
                var body = await BoundedBody.ReadPrefixAsync(response.Content, 4096, cancellationToken).ConfigureAwait(false);
                throw new KubernetesApiException(response.StatusCode, $"{request.Method} {relativeUri}: {(int)response.StatusCode} {Truncate(System.Text.Encoding.UTF8.GetString(body.Span))}");
            }
        }

        return response;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

    private static string Truncate(string body) => body.Length <= 300 ? body : body[..300];

    public void Dispose() => client.Dispose();
}
