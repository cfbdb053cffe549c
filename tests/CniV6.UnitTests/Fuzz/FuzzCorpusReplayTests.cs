using System.Runtime.Versioning;

namespace CniV6.UnitTests.Fuzz;

/// <summary>
/// Every file of the fuzz corpora goes through the same entry points the fuzzer drives; only the documented
/// "bad input" exceptions (<c>CniException</c>, <c>NetlinkDecodeException</c>, <c>NetlinkException</c>) may occur.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class FuzzCorpusReplayTests
{
    public static TheoryData<string, string> CorpusFiles => FuzzCorpus.Files();

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Corpus_file_raises_only_documented_exceptions(string target, string file)
    {
        var fuzzTarget = FuzzTarget.Find(target)!;
        var input = FuzzCorpus.Read(file);

        var escaped = Record.Exception(() => fuzzTarget.Run(input));

        Assert.True(escaped is null, $"{file}: {escaped?.GetType().FullName}: {escaped?.Message}\n{escaped?.StackTrace}");
    }

    public static TheoryData<string, string, string> NamedCorpusFiles => FuzzCorpus.FilesWithExpectedOutcome();

    [Theory]
    [MemberData(nameof(NamedCorpusFiles))]
    public void Corpus_file_named_valid_or_invalid_gets_that_outcome(string target, string file, string expected)
    {
        var outcome = FuzzTarget.Find(target)!.Run(FuzzCorpus.Read(file));

        Assert.Equal(Enum.Parse<FuzzOutcome>(expected), outcome);
    }

    [Fact]
    public void Every_target_has_a_corpus_with_valid_seeds()
    {
        foreach (var target in FuzzTarget.All)
        {
            var files = System.IO.Directory.GetFiles(Path.Combine(FuzzCorpus.Directory, target.CorpusFolder));
            Assert.Contains(files, file => Path.GetFileName(file).StartsWith(target.Name == "netlink" ? "dump-" : "valid-", StringComparison.Ordinal));
        }
    }
}
