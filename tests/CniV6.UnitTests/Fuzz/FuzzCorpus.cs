using System.Runtime.Versioning;

namespace CniV6.UnitTests.Fuzz;

/// <summary>
/// The fuzz corpora in <c>fuzz/corpus/&lt;target&gt;/</c> of the repository: seeds, inputs the fuzzer found
/// interesting, and every finding (<c>finding-*</c>). Naming: <c>valid-*</c> and <c>dump-*</c> must be accepted,
/// <c>invalid-*</c> must be rejected with the documented exception; every other file must only not crash.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class FuzzCorpus
{
    public static string Directory { get; } = Locate();

    /// <summary>(target name, file path relative to the corpus folder) for every corpus file of every target.</summary>
    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (var (target, file) in Enumerate())
        {
            data.Add(target, file);
        }

        return data;
    }

    /// <summary>(target, file, expected <see cref="FuzzOutcome"/> name) for the files whose name promises an outcome.</summary>
    public static TheoryData<string, string, string> FilesWithExpectedOutcome()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (target, file) in Enumerate())
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith("valid-", StringComparison.Ordinal) || name.StartsWith("dump-", StringComparison.Ordinal))
            {
                data.Add(target, file, nameof(FuzzOutcome.Accepted));
            }
            else if (name.StartsWith("invalid-", StringComparison.Ordinal))
            {
                data.Add(target, file, nameof(FuzzOutcome.Rejected));
            }
        }

        return data;
    }

    public static byte[] Read(string relativePath) => File.ReadAllBytes(Path.Combine(Directory, relativePath));

    private static IEnumerable<(string Target, string File)> Enumerate()
    {
        foreach (var target in FuzzTarget.All)
        {
            var folder = Path.Combine(Directory, target.CorpusFolder);
            foreach (var file in System.IO.Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                yield return (target.Name, Path.GetRelativePath(Directory, file));
            }
        }
    }

    private static string Locate()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "fuzz", "corpus");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"no fuzz/corpus above {AppContext.BaseDirectory}");
    }
}
