using System.Text.Json;
using System.Text.RegularExpressions;
using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests.Operability;

/// <summary>
/// The published plugin as people meet it: its error text is words, not resource keys (the AOT build's
/// UseSystemResourceKeys would print "ZeroDepthAtEnd"), and its capped log, written by many plugin processes at
/// once, rotates without losing or tearing a line.
/// </summary>
public sealed partial class PluginLogAndErrorTextTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cv6l-plugin-log-").FullName;

    public static TheoryData<string, string> MalformedConfigs => new()
    {
        { "truncated JSON", """{"cniVersion":"1.1.0","name":""" },
        { "a value after a value", """{"cniVersion":"1.1.0" "name":"pods"}""" },
        { "a trailing comma", """{"cniVersion":"1.1.0","name":"pods",}""" },
        { "garbage after the object", """{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":{"pools":["fd00::/64"]}} x""" },
        { "a bare word", "cniv6" },
    };

    [Theory]
    [MemberData(nameof(MalformedConfigs))]
    public void A_malformed_config_is_refused_in_words_not_resource_keys(string what, string stdin)
    {
        var result = ProcessRunner.Run(RepoLayout.PluginBinary, [], stdin, Environment("ADD", "c0ffee"));

        Assert.True(result.ExitCode == 1, $"{what}: {result.Describe()}");
        using var error = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(6, error.RootElement.GetProperty("code").GetInt32());
        var text = error.RootElement.GetProperty("msg").GetString() + " " +
                   (error.RootElement.TryGetProperty("details", out var details) ? details.GetString() : "");
        Assert.StartsWith("error decoding network config: ", text, StringComparison.Ordinal);
        Assert.False(ResourceKey().IsMatch(text), $"{what}: a resource key in '{text}'");
        Assert.Matches(@"invalid JSON: (\S+ ){3,}", text);
    }

    [Fact]
    public void Plugins_running_at_once_rotate_a_small_log_and_every_invocation_has_its_one_whole_line()
    {
        // Each run is refused after its log is open (CNI_NETNS is the plugin's own namespace: code 8, one line).
        const int Invocations = 160;
        var log = Path.Combine(_dir, "cniv6.log");
        var config = $$$"""{"cniVersion":"1.1.0","name":"pods","type":"cniv6","logFile":"{{{log}}}","logFileMaxBytes":4096,"logFileMaxFiles":100,"ipam":{"pools":["fd00::/64"]}}""";
        Parallel.For(0, Invocations, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var result = ProcessRunner.Run(RepoLayout.PluginBinary, [], config, Environment("ADD", $"ctr{i:D4}", "/proc/self/ns/net"));
            Assert.True(result.ExitCode == 1 && result.StandardOutput.Contains("\"code\":8", StringComparison.Ordinal), result.Describe());
        });

        var files = Enumerable.Range(1, 100).Reverse().Select(n => $"{log}.{n}").Where(File.Exists).Append(log).ToList();
        Assert.True(files.Count >= 5, $"{files.Count} files: the cap was not exercised");
        var containers = new List<string>();
        foreach (var file in files)
        {
            Assert.True(new FileInfo(file).Length <= 4096 + (8 * 400), $"{file}: {new FileInfo(file).Length} bytes");
            foreach (var line in File.ReadAllLines(file))
            {
                var match = LogLine().Match(line);
                Assert.True(match.Success, $"torn or foreign line in {file}: '{line}'");
                containers.Add(match.Groups[1].Value);
            }
        }

        Assert.Equal(Enumerable.Range(0, Invocations).Select(i => $"ctr{i:D4}"), containers.Order(StringComparer.Ordinal));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Dictionary<string, string> Environment(string command, string containerId, string netns = "/var/run/netns/cv6l-none") => new()
    {
        ["CNI_COMMAND"] = command,
        ["CNI_CONTAINERID"] = containerId,
        ["CNI_NETNS"] = netns,
        ["CNI_IFNAME"] = "eth0",
        ["CNI_PATH"] = RepoLayout.PluginPath,
    };

    /// <summary>What UseSystemResourceKeys prints instead of a message: "ZeroDepthAtEnd", "Error_FailedToLoad".</summary>
    [GeneratedRegex(@"\b[A-Z][a-z]+(?:[A-Z][a-z0-9]+){2,}\b|\b[A-Za-z]+_[A-Za-z_]+\b")]
    private static partial Regex ResourceKey();

    [GeneratedRegex(@"^\S+Z \[\d+\] WARN ADD (ctr\d{4}) eth0 CniV6\.Plugin\.Cni\.CniDispatcher\[1003\] ADD failed in \d+ µs with code 8: .*$")]
    private static partial Regex LogLine();
}
