using System.Net;
using System.Net.Sockets;
using System.Text;
using CniV6.Agent.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Health;

/// <summary>
/// /healthz (liveness), /readyz (ready after the first successful sync) and /metrics (Prometheus text) on a
/// local port. HttpListener keeps the agent free of a web framework (smaller binary, lower RSS).
/// </summary>
internal sealed partial class HealthServer(AgentOptions options, AgentHealth health, AgentMetrics metrics, ILogger<HealthServer> logger)
    : BackgroundService
{
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
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://{host}:{options.HealthPort}/");
        listener.Start();
        LogListening(host, options.HealthPort);
        using var stop = stoppingToken.Register(listener.Stop);

        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (HttpListenerException e)
            {
                LogRequestFailed(e);
                continue;
            }

            Respond(context);
        }
    }

    private void Respond(HttpListenerContext context)
    {
        var (status, body, contentType) = context.Request.Url?.AbsolutePath switch
        {
            "/healthz" or "/livez" => health.IsLive(MaxSilence) ? (200, "ok\n", "text/plain") : (503, "reconciler stalled\n", "text/plain"),
            "/readyz" => health.IsReady ? (200, "ok\n", "text/plain") : (503, "not synced yet\n", "text/plain"),
            "/metrics" => (200, metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"),
            _ => (404, "not found\n", "text/plain"),
        };

        try
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            context.Response.ContentLength64 = bytes.Length;
            context.Response.OutputStream.Write(bytes);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            LogRequestFailed(e);
        }
    }
}
