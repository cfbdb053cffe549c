using System.Diagnostics;
using System.Text;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>A cniv6-agent running inside a node namespace (<c>ip netns exec</c> execs it, so the pid is the agent's).</summary>
internal sealed class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private AgentProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the agent in <paramref name="netns"/>; <paramref name="environment"/> adds variables to its environment only.</summary>
    public static AgentProcess Start(string netns, IEnumerable<string> agentArgs, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "netns", "exec", netns, RequiredFiles.Agent }.Concat(agentArgs))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var agent = new AgentProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the agent"));
        agent._process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        agent._process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        agent._process.BeginOutputReadLine();
        agent._process.BeginErrorReadLine();
        return agent;
    }

    /// <summary>Resident set size from /proc, in KiB.</summary>
    public long ResidentKib()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]);
    }

    /// <summary>
    /// Polls <paramref name="readyz"/> from inside <paramref name="netns"/> until it answers 2xx (true), the agent exits
    /// or <paramref name="timeout"/> passes (false); callers say what a failure means to them.
    /// </summary>
    public async Task<bool> WaitUntilReadyAsync(string netns, Uri readyz, TimeSpan timeout)
    {
        using var http = InNamespace.HttpClient(netns);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !HasExited)
        {
            try
            {
                using var response = await http.GetAsync(readyz);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Timed out while starting.
            }

            await Task.Delay(50);
        }

        return false;
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
    }

    public void Terminate() => Shell.Run("kill", "-TERM", Pid.ToString());

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
