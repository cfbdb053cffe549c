using CniV6.UnitTests.Fuzz;

namespace CniV6.Fuzz;

/// <summary>Runs saved inputs (AFL crashes, corpora) through a target and prints what each one did.</summary>
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
        var findings = 0;
        var outcomes = new Dictionary<FuzzOutcome, int>();
        foreach (var file in files)
        {
            try
            {
                var outcome = target.Run(File.ReadAllBytes(file));
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
            catch (Exception e)
            {
                findings++;
                Console.WriteLine($"FINDING {file}");
                Console.WriteLine($"  {e.GetType().FullName}: {e.Message}");
                Console.WriteLine($"  {e.StackTrace?.Split('\n').FirstOrDefault(line => line.Contains("CniV6.", StringComparison.Ordinal) && !line.Contains("Fuzz", StringComparison.Ordinal))?.Trim()}");
            }
        }

        Console.WriteLine(
            $"{target.Name}: {files.Count} inputs, {outcomes.GetValueOrDefault(FuzzOutcome.Accepted)} accepted, " +
            $"{outcomes.GetValueOrDefault(FuzzOutcome.Rejected)} rejected, {findings} findings");
        return findings == 0 ? 0 : 1;
    }
}
