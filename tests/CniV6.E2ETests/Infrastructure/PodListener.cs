using System.Diagnostics;

namespace CniV6.E2ETests.Infrastructure;

/// <summary>
/// A one-shot TCP listener inside a pod (the driver's <c>-op serve</c>): accepts one connection,
/// sends <see cref="Greeting"/>, exits. Proves that traffic to a mapped host port reaches the pod.
/// </summary>
internal sealed class PodListener : IDisposable
{
    public const string Greeting = "hello from cniv6 pod";

    private readonly Process process;

    public PodListener(PodSandbox pod, int port)
    {
        process = ProcessRunner.Start("ip",
        [
            "netns", "exec", pod.Namespace.Name, RepoLayout.DriverBinary,
            "-op", "serve", "-listen", $"[::]:{port}", "-reply", Greeting, "-timeout", "30s",
        ]);
        // The driver prints "listening …" once the socket is bound; connecting earlier would race.
        Task<string?> firstLine = process.StandardOutput.ReadLineAsync();
        if (!firstLine.Wait(TimeSpan.FromSeconds(10)) || firstLine.Result?.StartsWith("listening", StringComparison.Ordinal) != true)
        {
            Stop();
            string stderr = process.StandardError.ReadToEnd();
            process.Dispose();
            throw new InvalidOperationException($"listener in {pod.Namespace.Name} did not start: {stderr}");
        }
    }

    public void Dispose()
    {
        Stop();
        process.Dispose();
    }

    private void Stop()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
    }
}
