using System.Net;
using System.Net.Sockets;
using CniV6.Agent.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Health;

/// <summary>
/// /healthz (liveness), /readyz (ready after the first successful sync) and /metrics (Prometheus text) on exactly
/// the configured address and port (<see cref="HealthHttp"/> speaks the HTTP): no web framework (smaller binary,
/// lower RSS), and unlike HttpListener it binds IPv6 literals such as an IPv6-first node's IP. "::" is dual-stack.
/// </summary>
internal sealed partial class HealthServer(AgentOptions options, AgentHealth health, AgentMetrics metrics, ILogger<HealthServer> logger)
    : BackgroundService
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The reconciler beats at least every resync interval; allow a few missed beats before declaring it dead.</summary>
    private TimeSpan MaxSilence => (options.ResyncInterval * 3) + TimeSpan.FromSeconds(30);

    /// <summary>Waits between attempts to bind the port while another process holds it (or the address is not up yet).</summary>
    internal Backoff BindRetry { get; init; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.HealthPort == 0)
        {
            return;
        }

        var host = options.HealthAddress.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{options.HealthAddress}]"
            : options.HealthAddress.ToString();
        using var listener = await ListenAsync(host, stoppingToken).ConfigureAwait(false);
        if (listener is null)
        {
            return;
        }

        LogListening(host, options.HealthPort);

        while (!stoppingToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A failed accept is one lost request, never the end of the endpoint (nor, through the host, of the
                // agent); the pause keeps a listener that fails at once from spinning.
                LogRequestFailed(e);
                await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken).ConfigureAwait(false);
                continue;
            }

            _ = ServeAsync(client, stoppingToken);
        }
    }

    /// <summary>
    /// Binds the health port, retrying with back-off while that fails: the port taken by another local process (or
    /// the configured address not assigned yet) must cost the node its probes, never its agent — the dataplane goes
    /// on syncing meanwhile, and the endpoint comes up once the port is free. One warning, then quiet retries.
    /// Null when stopped before the port could be bound.
    /// </summary>
    private async Task<Socket?> ListenAsync(string host, CancellationToken stoppingToken)
    {
        var warned = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var listener = new Socket(options.HealthAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (options.HealthAddress.Equals(IPAddress.IPv6Any))
                {
                    listener.DualMode = true;
                }

                // A restarted agent rebinds at once, though connections of its predecessor are still in TIME_WAIT
                // (SO_REUSEADDR never lets two sockets listen on one port: a port another process listens on fails).
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Bind(new IPEndPoint(options.HealthAddress, options.HealthPort));
                listener.Listen(64);
                return listener;
            }
            catch (SocketException e)
            {
                listener.Dispose();
                var delay = BindRetry.NextDelay();
                metrics.HealthBindFailed();
                if (!warned)
                {
                    LogBindFailed(host, options.HealthPort, e.Message, BindRetry.Maximum.TotalSeconds);
                    warned = true;
                }
                else
                {
                    LogBindRetryFailed(host, options.HealthPort, e.Message);
                }

                try
                {
                    await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        return null;
    }

    /// <summary>One request, one response, then the connection is closed.</summary>
    private async Task ServeAsync(Socket client, CancellationToken stoppingToken)
    {
        using (client)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(RequestTimeout);
                var buffer = new byte[HealthHttp.MaxRequestHead];
                var received = 0;
                var headLength = -1;
                while (headLength < 0 && received < buffer.Length)
                {
                    var read = await client.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    received += read;
                    headLength = HealthHttp.HeadLength(buffer.AsSpan(0, received));
                }

                var response = headLength < 0
                    ? HealthHttp.Response(431, "text/plain", "request head too large\n", headOnly: false)
                    : Respond(buffer.AsSpan(0, headLength));
                await client.SendAsync(response, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                LogRequestFailed(e);
            }
        }
    }

    private byte[] Respond(ReadOnlySpan<byte> head)
    {
        var (method, path, refusal) = HealthHttp.ParseRequestLine(head);
        var (status, body, contentType) = refusal is { } refused
            ? (refused, "bad request\n", "text/plain")
            : path switch
            {
                "/healthz" or "/livez" => health.IsLive(MaxSilence) ? (200, "ok\n", "text/plain") : (503, "reconciler stalled\n", "text/plain"),
                "/readyz" => health.IsReady ? (200, "ok\n", "text/plain") : (503, "not synced yet\n", "text/plain"),
                "/metrics" => (200, metrics.Render(), Metrics.PrometheusTextRenderer.ContentType),
                _ => (404, "not found\n", "text/plain"),
            };
        return HealthHttp.Response(status, contentType, body, headOnly: method == "HEAD");
    }
}
