using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>
/// Serves the part of the Kubernetes API the agent uses, with the apiserver's wire format: GET /api/v1/nodes
/// (a NodeList with metadata.resourceVersion), GET /api/v1/nodes/NAME, and ?watch=true&amp;resourceVersion=N as a
/// chunked stream of {"type","object"} lines; PATCH /api/v1/nodes/NAME/status is recorded (path, content type, body). Watching from a resourceVersion older than the retained history
/// yields an ERROR event with a 410 Expired Status, as etcd compaction does on a real apiserver.
/// </summary>
internal sealed class FakeKubeApiServer : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FakeNode> _nodes = new(StringComparer.Ordinal);
    private readonly List<(long ResourceVersion, string Line)> _history = [];
    private readonly List<Channel<string>> _watchers = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _events = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<RecordedPatch> _patches = new();
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenSource _dropWatches = new();
    private long _resourceVersion = 1000;
    private long _oldestWatchable;
    private int _listRequests;
    private int _watchRequests;
    private int _faultedRequests;
    private volatile ApiFault _fault;

    private FakeKubeApiServer(IPAddress address, int port)
    {
        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        BaseUri = new Uri($"http://{host}:{port}/");
        _listener.Prefixes.Add(BaseUri.ToString());
    }

    public Uri BaseUri { get; }

    public int ListRequests => Volatile.Read(ref _listRequests);

    public int WatchRequests => Volatile.Read(ref _watchRequests);

    /// <summary>Requests answered with the injected <see cref="Fault"/> instead of being served.</summary>
    public int FaultedRequests => Volatile.Read(ref _faultedRequests);

    public ApiFault Fault => _fault;

    /// <summary>Bodies of the core/v1 Events POSTed to any namespace, in arrival order.</summary>
    public IReadOnlyList<string> Events => [.. _events];

    /// <summary>Every PATCH of a Node's status subresource, in arrival order.</summary>
    public IReadOnlyList<RecordedPatch> StatusPatches => [.. _patches];

    /// <summary>
    /// Makes every following request fail as <paramref name="fault"/> says (<see cref="ApiFault.None"/> heals), and
    /// ends the open watches so that clients have to come back and meet the fault.
    /// </summary>
    public void InjectFault(ApiFault fault)
    {
        _fault = fault;
        if (fault != ApiFault.None)
        {
            DropWatches();
        }
    }

    /// <summary>
    /// Starts listening. <paramref name="bindIn"/> runs the socket creation, e.g. inside a network namespace: a
    /// socket belongs to the namespace of the thread that created it, and stays there when served from others.
    /// </summary>
    public static FakeKubeApiServer Start(IPAddress address, int port = 0, Action<Action>? bindIn = null)
    {
        var server = new FakeKubeApiServer(address, port == 0 ? FreePort(address) : port);
        (bindIn ?? (start => start()))(server._listener.Start);
        _ = Task.Run(server.AcceptLoopAsync);
        return server;
    }

    /// <summary>A kubeconfig that points a client at this server (plain HTTP, bearer token).</summary>
    public string WriteKubeconfig(string path)
    {
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: cv6a
              cluster:
                server: {BaseUri.ToString().TrimEnd('/')}
            contexts:
            - name: cv6a
              context:
                cluster: cv6a
                user: cniv6-agent
            current-context: cv6a
            users:
            - name: cniv6-agent
              user:
                token: cv6a-test-token
            """);
        return path;
    }

    public void Upsert(FakeNode node)
    {
        lock (_gate)
        {
            var type = _nodes.ContainsKey(node.Name) ? "MODIFIED" : "ADDED";
            _nodes[node.Name] = node;
            AppendEvent(type, node);
        }
    }

    public void Delete(string name)
    {
        lock (_gate)
        {
            if (_nodes.Remove(name, out var node))
            {
                AppendEvent("DELETED", node);
            }
        }
    }

    /// <summary>
    /// Appends <paramref name="line"/> to the watch history verbatim (a newline is added) and sends it to every open
    /// watch, as a broken or hostile apiserver would: a malformed event, an oversized one. Like any event it is
    /// replayed to every watch that starts from an earlier resourceVersion. Returns the resourceVersion it took.
    /// </summary>
    public long AppendRawEvent(string line)
    {
        lock (_gate)
        {
            var resourceVersion = ++_resourceVersion;
            _history.Add((resourceVersion, line + "\n"));
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(line + "\n");
            }

            return resourceVersion;
        }
    }

    /// <summary>Forgets the event history (as compaction does) and ends every watch: reconnecting clients get 410.</summary>
    public void ExpireHistory()
    {
        lock (_gate)
        {
            _resourceVersion++;
            _oldestWatchable = _resourceVersion;
            _history.Clear();
        }

        DropWatches();
    }

    /// <summary>Ends every open watch stream, as an apiserver restart or a load balancer timeout does.</summary>
    public void DropWatches()
    {
        var previous = Interlocked.Exchange(ref _dropWatches, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
    }

    private void AppendEvent(string type, FakeNode node)
    {
        var resourceVersion = ++_resourceVersion;
        var line = $"{{\"type\":\"{type}\",\"object\":{NodeJson.ToJson(node, resourceVersion)}}}\n";
        _history.Add((resourceVersion, line));
        foreach (var watcher in _watchers)
        {
            watcher.Writer.TryWrite(line);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                continue;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            switch (_fault)
            {
                case ApiFault.InternalError:
                    Interlocked.Increment(ref _faultedRequests);
                    await WriteAsync(response, 500, StatusJson(500, "InternalError", "injected fault: etcd unavailable")).ConfigureAwait(false);
                    return;
                case ApiFault.Disconnect:
                    Interlocked.Increment(ref _faultedRequests);
                    response.Abort();
                    return;
            }

            var path = context.Request.Url!.AbsolutePath;
            var query = context.Request.QueryString;
            if (context.Request.HttpMethod == "POST" && path.StartsWith("/api/v1/namespaces/", StringComparison.Ordinal) && path.EndsWith("/events", StringComparison.Ordinal))
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync().ConfigureAwait(false);
                _events.Enqueue(body);
                await WriteAsync(response, 201, body).ConfigureAwait(false);
            }
            else if (context.Request.HttpMethod == "PATCH" && path.StartsWith("/api/v1/nodes/", StringComparison.Ordinal) && path.EndsWith("/status", StringComparison.Ordinal))
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync().ConfigureAwait(false);
                var name = path["/api/v1/nodes/".Length..^"/status".Length];
                _patches.Enqueue(new RecordedPatch(name, context.Request.ContentType ?? "", body));
                string? json;
                lock (_gate)
                {
                    json = _nodes.TryGetValue(name, out var node) ? NodeJson.ToJson(node, _resourceVersion) : null;
                }

                await WriteAsync(response, json is null ? 404 : 200, json ?? StatusJson(404, "NotFound", $"nodes \"{name}\" not found")).ConfigureAwait(false);
            }
            else if (path == "/api/v1/nodes" && query["watch"] is "true" or "1")
            {
                Interlocked.Increment(ref _watchRequests);
                var timeout = int.TryParse(query["timeoutSeconds"], out var seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(30);
                await WatchAsync(response, long.Parse(query["resourceVersion"] ?? "0"), timeout).ConfigureAwait(false);
            }
            else if (path == "/api/v1/nodes")
            {
                Interlocked.Increment(ref _listRequests);
                await WriteAsync(response, 200, ListJson()).ConfigureAwait(false);
            }
            else if (path.StartsWith("/api/v1/nodes/", StringComparison.Ordinal))
            {
                string? json;
                lock (_gate)
                {
                    json = _nodes.TryGetValue(path["/api/v1/nodes/".Length..], out var node) ? NodeJson.ToJson(node, _resourceVersion) : null;
                }

                await WriteAsync(response, json is null ? 404 : 200, json ?? StatusJson(404, "NotFound", "nodes not found")).ConfigureAwait(false);
            }
            else
            {
                await WriteAsync(response, 404, StatusJson(404, "NotFound", "the server could not find the requested resource")).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away mid-response; nothing to do.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    private async Task WatchAsync(HttpListenerResponse response, long fromVersion, TimeSpan timeout)
    {
        var channel = Channel.CreateUnbounded<string>();
        string[] backlog;
        CancellationToken drop;
        lock (_gate)
        {
            if (fromVersion < _oldestWatchable)
            {
                backlog = [$"{{\"type\":\"ERROR\",\"object\":{StatusJson(410, "Expired", $"too old resource version: {fromVersion} ({_oldestWatchable})")}}}\n"];
                channel.Writer.Complete();
            }
            else
            {
                backlog = _history.Where(e => e.ResourceVersion > fromVersion).Select(e => e.Line).ToArray();
                _watchers.Add(channel);
            }

            drop = _dropWatches.Token;
        }

        try
        {
            response.StatusCode = 200;
            response.ContentType = "application/json";
            response.SendChunked = true;
            var stream = response.OutputStream;
            foreach (var line in backlog)
            {
                await WriteLineAsync(stream, line).ConfigureAwait(false);
            }

            using var end = CancellationTokenSource.CreateLinkedTokenSource(drop, _stopping.Token);
            end.CancelAfter(timeout);
            try
            {
                await foreach (var line in channel.Reader.ReadAllAsync(end.Token).ConfigureAwait(false))
                {
                    await WriteLineAsync(stream, line).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // Timeout, dropped or server stopping: end the stream like the apiserver does.
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }

    private static async Task WriteLineAsync(Stream stream, string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        await stream.WriteAsync(bytes).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }

    private string ListJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            lock (_gate)
            {
                json.WriteStartObject();
                json.WriteString("kind", "NodeList");
                json.WriteString("apiVersion", "v1");
                json.WriteStartObject("metadata");
                json.WriteString("resourceVersion", _resourceVersion.ToString());
                json.WriteEndObject();
                json.WriteStartArray("items");
                foreach (var node in _nodes.Values.OrderBy(n => n.Name, StringComparer.Ordinal))
                {
                    NodeJson.Write(json, node, _resourceVersion);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string StatusJson(int code, string reason, string message) =>
        $"{{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{{}},\"status\":\"Failure\",\"message\":{JsonSerializer.Serialize(message, FakeApiJsonContext.Default.String)},\"reason\":\"{reason}\",\"code\":{code}}}";

    private static async Task WriteAsync(HttpListenerResponse response, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
    }

    private static int FreePort(IPAddress address)
    {
        // Only for loopback use in unit tests; inside namespaces the caller picks a fixed port.
        using var probe = new TcpListener(address, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        DropWatches();
        _listener.Close();
        _stopping.Dispose();
    }
}
