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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.HealthPort == 0)
        {
            return;
        }

        var host = options.HealthAddress.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{options.HealthAddress}]"
            : options.HealthAddress.ToString();
        using var listener = new Socket(options.HealthAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (options.HealthAddress.Equals(IPAddress.IPv6Any))
        {
            listener.DualMode = true;
        }

        // A restarted agent rebinds at once, though connections of its predecessor are still in TIME_WAIT.
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(options.HealthAddress, options.HealthPort));
        listener.Listen(64);
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
            catch (SocketException e)
            {
                LogRequestFailed(e);
                continue;
            }

            _ = ServeAsync(client, stoppingToken);
        }
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
                "/metrics" => (200, metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"),
                _ => (404, "not found\n", "text/plain"),
            };
        return HealthHttp.Response(status, contentType, body, headOnly: method == "HEAD");
    }
}
