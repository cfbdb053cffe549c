using System.Runtime.Versioning;

namespace CniV6.UnitTests.Fuzz;

/// <summary>
/// One fuzzed entry point: its name on the fuzz driver's command line, the folder of its corpus under
/// <c>fuzz/corpus/</c>, and the function that feeds it one input. <see cref="Run"/> returns
/// <see cref="FuzzOutcome"/> when only documented exceptions occurred and lets every other exception escape.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed record FuzzTarget(string Name, string CorpusFolder, Func<byte[], FuzzOutcome> Run)
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("config", "config", NetworkConfigFuzzTarget.Run),
        new("result", "result", CniResultFuzzTarget.Run),
        new("env", "env", CniEnvironmentFuzzTarget.Run),
        new("netlink", "netlink", NetlinkReplyFuzzTarget.Run),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(target => target.Name == name);
}
