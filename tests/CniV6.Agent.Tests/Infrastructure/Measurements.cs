namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>Appends measured numbers to artifacts/test-results/agent-measurements.txt for the report.</summary>
internal static class Measurements
{
    public static void Record(string name, string value)
    {
        var directory = Path.Combine(RequiredFiles.ArtifactsBin, "..", "test-results");
        Directory.CreateDirectory(directory);
        File.AppendAllText(Path.Combine(directory, "agent-measurements.txt"), $"{DateTimeOffset.UtcNow:O} {name} {value}\n");
    }
}
