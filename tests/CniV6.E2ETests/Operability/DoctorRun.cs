using System.Text.Json;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests.Operability;

/// <summary>One <c>cniv6 doctor --json</c> run: its exit code and findings.</summary>
internal sealed record DoctorRun(ProcessResult Process, string Result, IReadOnlyList<DoctorRun.Finding> Findings)
{
    public static DoctorRun Parse(ProcessResult process)
    {
        Assert.True(process.ExitCode is 0 or 1, process.Describe());
        using JsonDocument json = JsonDocument.Parse(process.StandardOutput);
        var findings = json.RootElement.GetProperty("checks").EnumerateArray()
            .Select(c => new Finding(
                c.GetProperty("check").GetString()!,
                c.GetProperty("status").GetString()!,
                c.GetProperty("found").GetString()!,
                c.TryGetProperty("fix", out JsonElement fix) ? fix.GetString() : null))
            .ToList();
        return new DoctorRun(process, json.RootElement.GetProperty("result").GetString()!, findings);
    }

    /// <summary>The one finding of <paramref name="check"/> whose text contains <paramref name="found"/>; fails the test with the whole report otherwise.</summary>
    public Finding Single(string check, string found)
    {
        List<Finding> matches = [.. Findings.Where(f => f.Check == check && f.Found.Contains(found, StringComparison.Ordinal))];
        Assert.True(matches.Count == 1, $"expected one '{check}' finding containing '{found}', got {matches.Count}:\n{this}");
        return matches[0];
    }

    public override string ToString() =>
        $"exit {Process.ExitCode}, result {Result}\n" + string.Join('\n', Findings.Select(f => $"  {f.Check} {f.Status}: {f.Found} | fix: {f.Fix}"));

    internal sealed record Finding(string Check, string Status, string Found, string? Fix);
}
