using System.Text.Json;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary><c>cniv6 doctor --json</c> (the published plugin) run inside a node namespace against that node's CNI directories.</summary>
internal sealed record NodeDoctor(int ExitCode, string Result, IReadOnlyList<NodeDoctor.Finding> Findings, string Output)
{
    public static NodeDoctor Run(string netns, string nodeDir)
    {
        // A resolv.conf of the test's own, so the host's resolvers do not decide the DNS check.
        var resolvConf = Path.Combine(nodeDir, "resolv.conf");
        File.WriteAllText(resolvConf, "nameserver fd00:a11::53\nnameserver 10.99.0.53\n");
        var (exitCode, output, error) = Shell.TryRun(TimeSpan.FromSeconds(60), "ip", "netns", "exec", netns, RequiredFiles.Plugin, "doctor", "--json",
            "--conf-dir", Path.Combine(nodeDir, "net.d"), "--bin-dir", Path.Combine(nodeDir, "bin"), "--resolv-conf", resolvConf);
        Assert.True(exitCode is 0 or 1, $"doctor exited {exitCode}: {error}{output}");
        using var json = JsonDocument.Parse(output);
        var findings = json.RootElement.GetProperty("checks").EnumerateArray()
            .Select(c => new Finding(
                c.GetProperty("check").GetString()!,
                c.GetProperty("status").GetString()!,
                c.GetProperty("found").GetString()!,
                c.TryGetProperty("fix", out var fix) ? fix.GetString() : null))
            .ToList();
        return new NodeDoctor(exitCode, json.RootElement.GetProperty("result").GetString()!, findings, output);
    }

    /// <summary>The one finding of <paramref name="check"/> containing <paramref name="found"/>; fails the test with the report otherwise.</summary>
    public Finding Single(string check, string found)
    {
        var matches = Findings.Where(f => f.Check == check && f.Found.Contains(found, StringComparison.Ordinal)).ToList();
        Assert.True(matches.Count == 1, $"expected one '{check}' finding containing '{found}', got {matches.Count}:\n{Output}");
        return matches[0];
    }

    internal sealed record Finding(string Check, string Status, string Found, string? Fix);
}
