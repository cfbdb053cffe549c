using CniV6.UnitTests.Fuzz;

namespace CniV6.Fuzz;

/// <summary>
/// Runs saved inputs (AFL crashes, corpora) through a target without AFL and prints what they did: findings grouped
/// by exception type and the first CniV6 frame it came from, with the count and the smallest input of each group.
/// </summary>
internal static class Replay
{
    public static int Run(FuzzTarget target, IEnumerable<string> paths)
    {
        var files = paths
            .SelectMany(path => Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                : [path])
            .Where(file => !Path.GetFileName(file).StartsWith("README", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var outcomes = new Dictionary<FuzzOutcome, int>();
        var findings = new Dictionary<string, List<(string File, long Size, string Message)>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            try
            {
                var outcome = target.Run(File.ReadAllBytes(file));
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
            catch (Exception e)
            {
                var origin = e.StackTrace?.Split('\n')
                    .Select(line => line.Trim())
                    .FirstOrDefault(line => line.StartsWith("at CniV6.", StringComparison.Ordinal) && !line.Contains("Fuzz", StringComparison.Ordinal))
                    ?? "(no CniV6 frame)";
                var key = $"{e.GetType().FullName} {origin}";
                if (!findings.TryGetValue(key, out var group))
                {
                    findings[key] = group = [];
                }

                group.Add((file, new FileInfo(file).Length, e.Message));
            }
        }

        foreach (var (key, group) in findings.OrderByDescending(pair => pair.Value.Count))
        {
            var smallest = group.MinBy(item => item.Size);
            Console.WriteLine($"FINDING x{group.Count}: {key}");
            Console.WriteLine($"  message: {smallest.Message}");
            Console.WriteLine($"  smallest input ({smallest.Size} bytes): {smallest.File}");
        }

        var findingCount = findings.Values.Sum(group => group.Count);
        Console.WriteLine(
            $"{target.Name}: {files.Count} inputs, {outcomes.GetValueOrDefault(FuzzOutcome.Accepted)} accepted, " +
            $"{outcomes.GetValueOrDefault(FuzzOutcome.Rejected)} rejected, {findingCount} findings in {findings.Count} distinct places");
        return findingCount == 0 ? 0 : 1;
    }
}
