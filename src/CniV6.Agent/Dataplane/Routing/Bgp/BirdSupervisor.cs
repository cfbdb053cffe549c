using System.Diagnostics;
using CniV6.Agent.Health;
using CniV6.Linux;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>
/// Runs Debian's BIRD 2 as a child of the agent: configuration and control socket under
/// <see cref="BgpOptions.RunDirectory"/>, changes applied with <c>configure</c> on the socket (never a restart), a BIRD
/// that dies restarted with back-off (1 s doubling to 30 s, reset after a minute up). A BIRD already answering on
/// the socket (left by an earlier agent process) is adopted, not restarted. When BIRD's routes are still in the
/// kernel at a start (it was killed, or the agent's container restarted), BIRD starts in graceful-restart recovery
/// (<c>-R</c>): it keeps those routes until its sessions are back, and its peers keep this node's meanwhile.
/// A watcher thread polls the socket every second (restarts) and publishes session states to the metrics.
/// </summary>
internal sealed partial class BirdSupervisor(BgpOptions options, IBgpKernelRoutes kernelRoutes, AgentMetrics agentMetrics,
                                             ILogger<BirdSupervisor> logger, TimeProvider time) : IBirdDaemon, IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StableAfter = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly BgpMetrics _metrics = new(agentMetrics);
    private Process? _child;
    private BirdConfig? _wanted;
    private string? _loaded;
    private int _failures;
    private DateTimeOffset _startedAt;
    private DateTimeOffset _notBefore;
    private Thread? _watcher;
    private CancellationTokenSource? _stopWatcher;

    public void Apply(BirdConfig config)
    {
        lock (_gate)
        {
            _wanted = config;
            // Owner-only: the configuration may hold session passwords.
            AtomicFile.WriteIfChanged(options.ConfigPath, System.Text.Encoding.UTF8.GetBytes(config.Text), UnixFileMode.UserRead | UnixFileMode.UserWrite,
                                      UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            if (!IsRunning())
            {
                var wait = _notBefore - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    throw new BirdControlException($"BIRD is down; the next start is in {wait.TotalSeconds:0.#} s");
                }

                Start();
            }

            if (_loaded != config.Text)
            {
                Configure();
                _loaded = config.Text;
            }

            EnsureWatcher();
        }
    }

    public void Stop()
    {
        Thread? watcher;
        lock (_gate)
        {
            _wanted = null;
            _stopWatcher?.Cancel();
            watcher = _watcher;
            _watcher = null;
        }

        watcher?.Join(StopTimeout);
        lock (_gate)
        {
            if (BirdControlClient.IsUp(options.ControlSocketPath))
            {
                try
                {
                    BirdControlClient.Send(options.ControlSocketPath, "down");
                }
                catch (BirdControlException e)
                {
                    LogStopFailed(e);
                }

                var deadline = time.GetUtcNow() + StopTimeout;
                while (BirdControlClient.IsUp(options.ControlSocketPath) && time.GetUtcNow() < deadline)
                {
                    Thread.Sleep(100);
                }
            }

            if (_child is { HasExited: false } child && !child.WaitForExit(StopTimeout))
            {
                child.Kill();
            }

            _child?.Dispose();
            _child = null;
            _loaded = null;
            _metrics.BirdUp(false);
            _metrics.Sessions([]);
            foreach (var file in new[] { options.ConfigPath, options.ControlSocketPath, PidPath })
            {
                File.Delete(file);
            }
        }
    }

    public void Dispose()
    {
        _stopWatcher?.Cancel();
        _child?.Dispose();
        _stopWatcher?.Dispose();
    }

    private string PidPath => Path.Combine(options.RunDirectory, "bird.pid");

    /// <summary>Our child is alive and answers, or (no child) some BIRD answers on our socket: one an earlier agent started.</summary>
    private bool IsRunning()
    {
        if (_child is { HasExited: true })
        {
            NoteExit($"exited with code {_child.ExitCode}");
            _child.Dispose();
            _child = null;
        }

        var up = BirdControlClient.IsUp(options.ControlSocketPath);
        if (!up && _child is not null)
        {
            // Our child lives but does not answer (busy, or the socket was removed): never start a second BIRD
            // beside it; a configure that cannot get through fails the sync instead.
            _metrics.BirdUp(false);
            return true;
        }

        if (!up && _child is null && _loaded is not null)
        {
            NoteExit("no longer answers on its control socket");
        }

        if (up && _child is null && _loaded is null)
        {
            LogAdopted(options.ControlSocketPath);
        }

        _metrics.BirdUp(up);
        return up;
    }

    /// <summary>BIRD went away unasked: schedule the restart after back-off.</summary>
    private void NoteExit(string how)
    {
        var now = time.GetUtcNow();
        _failures = now - _startedAt >= StableAfter ? 1 : _failures + 1;
        var backoff = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, _failures - 1)));
        _notBefore = now + backoff;
        _loaded = null;
        LogBirdDied(how, backoff.TotalSeconds);
    }

    private void Start()
    {
        var recovering = kernelRoutes.ListInstalled().Count > 0;
        var start = new ProcessStartInfo(options.BirdPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-f", "-c", options.ConfigPath, "-s", options.ControlSocketPath, "-P", PidPath])
        {
            start.ArgumentList.Add(arg);
        }

        if (recovering)
        {
            start.ArgumentList.Add("-R");
        }

        _startedAt = time.GetUtcNow();
        var lastLines = new Queue<string>();
        Process child;
        try
        {
            child = Process.Start(start) ?? throw new BirdControlException($"could not start {options.BirdPath}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            _notBefore = time.GetUtcNow() + MaxBackoff;
            throw new BirdControlException($"could not start {options.BirdPath}: {e.Message} (install bird2)", e);
        }

        DataReceivedEventHandler log = (_, line) =>
        {
            if (line.Data is not { Length: > 0 } text)
            {
                return;
            }

            lock (lastLines)
            {
                lastLines.Enqueue(text);
                if (lastLines.Count > 5)
                {
                    lastLines.Dequeue();
                }
            }

            LogBirdOutput(text);
        };
        child.OutputDataReceived += log;
        child.ErrorDataReceived += log;
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        _metrics.BirdStarted();

        var deadline = time.GetUtcNow() + StartTimeout;
        while (!BirdControlClient.IsUp(options.ControlSocketPath))
        {
            if (child.HasExited || time.GetUtcNow() > deadline)
            {
                if (!child.HasExited)
                {
                    child.Kill();
                }

                child.WaitForExit();
                child.Dispose();
                _failures++;
                _notBefore = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, _failures - 1)));
                string said;
                lock (lastLines)
                {
                    said = string.Join(" | ", lastLines);
                }

                throw new BirdControlException($"BIRD did not come up: {said}");
            }

            Thread.Sleep(50);
        }

        _child = child;
        _loaded = File.ReadAllText(options.ConfigPath);
        _metrics.BirdUp(true);
        LogBirdStarted(child.Id, recovering);
    }

    private void Configure()
    {
        var reply = BirdControlClient.Send(options.ControlSocketPath, "configure");
        // 0003 Reconfigured, 0004 Reconfiguration in progress, 0018 Reconfiguration confirmed, 0019 Nothing to do.
        if (reply.IsError || reply.FinalCode is not (3 or 4 or 18 or 19))
        {
            throw new BirdControlException($"BIRD refused the configuration: {reply.Text}");
        }

        LogConfigured(reply.Lines[^1].Text);
    }

    private void EnsureWatcher()
    {
        if (_watcher is not null)
        {
            return;
        }

        _stopWatcher = new CancellationTokenSource();
        var token = _stopWatcher.Token;
        _watcher = new Thread(() => Watch(token)) { IsBackground = true, Name = "bird-supervisor" };
        _watcher.Start();
    }

    private void Watch(CancellationToken token)
    {
        while (!token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)))
        {
            BirdConfig? wanted;
            lock (_gate)
            {
                wanted = _wanted;
                if (wanted is null || token.IsCancellationRequested)
                {
                    return;
                }

                try
                {
                    if (!IsRunning() && time.GetUtcNow() >= _notBefore)
                    {
                        Start();
                        if (_loaded != wanted.Text)
                        {
                            Configure();
                            _loaded = wanted.Text;
                        }
                    }
                }
                catch (Exception e) when (e is BirdControlException or IOException)
                {
                    LogRestartFailed(e);
                }
            }

            PublishSessions(wanted);
        }
    }

    private void PublishSessions(BirdConfig config)
    {
        try
        {
            var states = BirdSessionState.Parse(BirdControlClient.Send(options.ControlSocketPath, "show protocols"))
                                         .ToDictionary(s => s.Protocol, StringComparer.Ordinal);
            _metrics.Sessions(config.Sessions.Select(s => new BgpSessionMetric(
                s.Peer, s.Protocol, s.Kind, states.TryGetValue(s.Protocol, out var state) ? state.BgpState : "Unknown")));
        }
        catch (BirdControlException)
        {
            _metrics.Sessions(config.Sessions.Select(s => new BgpSessionMetric(s.Peer, s.Protocol, s.Kind, "Unknown")));
        }
    }
}
