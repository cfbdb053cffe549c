using System.Runtime.Versioning;
using System.Text;
using CniV6.Plugin.Cni;
using CniV6.Core.Config;

namespace CniV6.UnitTests.Cni;

/// <summary>
/// Issue 5: every validation of the dispatcher, driven with hostile input. Each case must produce exactly one CNI
/// error object with the expected code and a message naming the problem, exit non-zero, and never reach the plugin.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HostileInputTests
{
    private const string Pools = """ "ipam":{"pools":["fd00:10:244::/64","10.244.0.0/24"]} """;

    private static readonly Dictionary<string, HostileCase> Cases = new HostileCase[]
    {
        // Environment (code 4).
        new("command missing", 4, "CNI_COMMAND", Env: new() { ["CNI_COMMAND"] = null }),
        new("command unknown", 4, "CNI_COMMAND", Env: new() { ["CNI_COMMAND"] = "ATTACH" }),
        new("command lowercase", 4, "CNI_COMMAND", Env: new() { ["CNI_COMMAND"] = "add" }),
        new("ADD without container id", 4, "CNI_CONTAINERID", Env: new() { ["CNI_CONTAINERID"] = null }),
        new("ADD with empty container id", 4, "CNI_CONTAINERID", Env: new() { ["CNI_CONTAINERID"] = "" }),
        new("ADD without netns", 4, "CNI_NETNS", Env: new() { ["CNI_NETNS"] = null }),
        new("CHECK without netns", 4, "CNI_NETNS", Env: new() { ["CNI_COMMAND"] = "CHECK", ["CNI_NETNS"] = null }),
        new("ADD without ifname", 4, "CNI_IFNAME", Env: new() { ["CNI_IFNAME"] = null }),
        new("DEL without ifname", 4, "CNI_IFNAME", Env: new() { ["CNI_COMMAND"] = "DEL", ["CNI_IFNAME"] = null }),
        new("DEL without container id and ifname", 4, "CNI_CONTAINERID,CNI_IFNAME", Env: new() { ["CNI_COMMAND"] = "DEL", ["CNI_CONTAINERID"] = null, ["CNI_IFNAME"] = null }),
        new("container id path traversal", 4, "CNI_CONTAINERID", Env: new() { ["CNI_CONTAINERID"] = "../../etc" }),
        new("container id starting with dash", 4, "CNI_CONTAINERID", Env: new() { ["CNI_CONTAINERID"] = "-rf" }),
        new("container id with slash", 4, "CNI_CONTAINERID", Env: new() { ["CNI_CONTAINERID"] = "abc/def" }),
        new("container id with space", 4, "CNI_CONTAINERID", Env: new() { ["CNI_CONTAINERID"] = "abc def" }),
        new("container id with newline", 4, "CNI_CONTAINERID", Env: new() { ["CNI_CONTAINERID"] = "abc\ndef" }),
        new("container id with non-ASCII letter", 4, "CNI_CONTAINERID", Env: new() { ["CNI_CONTAINERID"] = "caf\u00e9" }),
        new("ifname of 16 bytes", 4, "CNI_IFNAME", Env: new() { ["CNI_IFNAME"] = "eth0123456789012" }),
        new("ifname of 9 characters but 18 bytes", 4, "CNI_IFNAME", Env: new() { ["CNI_IFNAME"] = "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9" }),
        new("ifname dot", 4, "CNI_IFNAME", Env: new() { ["CNI_IFNAME"] = "." }),
        new("ifname dot dot", 4, "CNI_IFNAME", Env: new() { ["CNI_IFNAME"] = ".." }),
        new("ifname with slash", 4, "CNI_IFNAME", Env: new() { ["CNI_IFNAME"] = "eth/0" }),
        new("ifname with colon", 4, "CNI_IFNAME", Env: new() { ["CNI_IFNAME"] = "eth0:1" }),
        new("ifname with space", 4, "CNI_IFNAME", Env: new() { ["CNI_IFNAME"] = "eth 0" }),
        new("ifname with tab", 4, "CNI_IFNAME", Env: new() { ["CNI_IFNAME"] = "eth\t0" }),
        new("ifname with a non-ASCII letter", 4, "printable ASCII", Env: new() { ["CNI_IFNAME"] = "eth\u00e9" }),
        new("ifname with a trailing newline", 4, "CNI_IFNAME", Env: new() { ["CNI_IFNAME"] = "eth0\n" }),
        new("ifname with a control character", 4, "printable ASCII", Env: new() { ["CNI_IFNAME"] = "eth\u00010" }),
        new("ifname with DEL", 4, "printable ASCII", Env: new() { ["CNI_IFNAME"] = "eth\u007f" }),
        new("container id with a trailing newline", 4, "CNI_CONTAINERID", Env: new() { ["CNI_CONTAINERID"] = "abc\n" }),
        new("container id with a non-ASCII digit", 4, "CNI_CONTAINERID", Env: new() { ["CNI_CONTAINERID"] = "abc\u0661" }),
        new("ADD into the plugin's own netns", 8, "CNI_NETNS", Env: new() { ["CNI_NETNS"] = "/proc/self/ns/net" }),
        new("DEL in the plugin's own netns", 8, "CNI_NETNS", Env: new() { ["CNI_COMMAND"] = "DEL", ["CNI_NETNS"] = "/proc/thread-self/ns/net" }),
        new("CNI_ARGS pair without equals", 4, "CNI_ARGS", Env: new() { ["CNI_ARGS"] = "IgnoreUnknown=1;garbage" }),

        // Decoding (code 6) and size.
        new("empty stdin", 6, "decoding network config", Stdin: ""),
        new("truncated JSON", 6, "decoding network config", Stdin: """{"cniVersion":"1.1.0","name":"""),
        new("JSON array instead of object", 6, "expected a JSON object", Stdin: "[]"),
        new("JSON string instead of object", 6, "expected a JSON object", Stdin: "\"cniv6\""),
        new("trailing garbage after the object", 6, "decoding network config", Stdin: DispatcherHarness.ValidConfig + " x"),
        new("nesting bomb", 6, "depth", Stdin: NestingBomb()),
        new("duplicate name key", 6, "duplicate property \"name\"", Stdin: """{"cniVersion":"1.1.0","name":"a","name":"b","type":"cniv6",""" + Pools + "}"),
        new("stdin larger than 1 MiB", 7, "larger than 1048576 bytes", StdinBytes: HugeConfig()),

        // Versions (code 1).
        new("cniVersion missing", 1, "cniVersion", Stdin: """{"name":"pods","type":"cniv6",""" + Pools + "}"),
        new("cniVersion 0.2.0", 1, "0.2.0", Stdin: Config("0.2.0")),
        new("cniVersion from the future", 1, "2.0.0", Stdin: Config("2.0.0")),
        new("cniVersion not a version", 1, "cniVersion", Stdin: Config("latest")),
        new("GC below 1.1.0", 1, "GC", Env: new() { ["CNI_COMMAND"] = "GC" }, Stdin: Config("1.0.0")),
        new("STATUS below 1.1.0", 1, "STATUS", Env: new() { ["CNI_COMMAND"] = "STATUS" }, Stdin: Config("0.4.0")),
        new("CHECK below 0.4.0", 1, "CHECK", Env: new() { ["CNI_COMMAND"] = "CHECK" }, Stdin: Config("0.3.1")),

        // Fields (code 7 naming the field).
        new("cniVersion as a number", 7, "'cniVersion'", Stdin: """{"cniVersion":1.1,"name":"pods","type":"cniv6",""" + Pools + "}"),
        new("name missing", 7, "'name'", Stdin: """{"cniVersion":"1.1.0","type":"cniv6",""" + Pools + "}"),
        new("name empty", 7, "'name'", Stdin: """{"cniVersion":"1.1.0","name":"","type":"cniv6",""" + Pools + "}"),
        new("name as a number", 7, "'name'", Stdin: """{"cniVersion":"1.1.0","name":42,"type":"cniv6",""" + Pools + "}"),
        new("name with path traversal", 7, "'name'", Stdin: """{"cniVersion":"1.1.0","name":"../../etc","type":"cniv6",""" + Pools + "}"),
        new("name with a trailing newline", 7, "'name'", Stdin: """{"cniVersion":"1.1.0","name":"pods\n","type":"cniv6",""" + Pools + "}"),
        new("type missing", 7, "'type'", Stdin: """{"cniVersion":"1.1.0","name":"pods",""" + Pools + "}"),
        new("type empty", 7, "'type'", Stdin: """{"cniVersion":"1.1.0","name":"pods","type":"",""" + Pools + "}"),
        new("mtu as a string", 7, "'mtu'", Stdin: With("\"mtu\":\"1500\"")),
        new("mtu fractional", 7, "'mtu'", Stdin: With("\"mtu\":1500.5")),
        new("mtu below 68", 7, "'mtu'", Stdin: With("\"mtu\":50")),
        new("mtu above 65535", 7, "'mtu'", Stdin: With("\"mtu\":70000")),
        new("mtu below IPv6 minimum with an IPv6 pool", 7, "'mtu'", Stdin: With("\"mtu\":1000")),
        new("ipMasq as a string", 7, "'ipMasq'", Stdin: With("\"ipMasq\":\"yes\"")),
        new("disableGC as a string", 7, "'disableGC'", Stdin: With("\"disableGC\":\"true\"")),
        new("masqueradeExclude item not a string", 7, "'masqueradeExclude[1]'", Stdin: With("\"masqueradeExclude\":[\"fd00::/8\",5]")),
        new("masqueradeExclude item not a CIDR", 7, "'masqueradeExclude[0]'", Stdin: With("\"masqueradeExclude\":[\"10.0.0.0\"]")),
        new("logFile relative", 7, "'logFile'", Stdin: With("\"logFile\":\"cniv6.log\"")),
        new("logLevel unknown", 7, "'logLevel'", Stdin: With("\"logLevel\":\"loud\"")),
        new("logFileMaxBytes negative", 7, "'logFileMaxBytes'", Stdin: With("\"logFileMaxBytes\":-1")),
        new("logFileMaxBytes as a string", 7, "'logFileMaxBytes'", Stdin: With("\"logFileMaxBytes\":\"10M\"")),
        new("logFileMaxFiles zero", 7, "'logFileMaxFiles'", Stdin: With("\"logFileMaxFiles\":0")),
        new("logFileMaxFiles above 100", 7, "'logFileMaxFiles'", Stdin: With("\"logFileMaxFiles\":101")),
        new("prevResult not an object", 7, "'prevResult'", Stdin: With("\"prevResult\":\"ok\"")),
        new("runtimeConfig not an object", 7, "'runtimeConfig'", Stdin: With("\"runtimeConfig\":[]")),
        new("ipam missing", 7, "'ipam'", Stdin: """{"cniVersion":"1.1.0","name":"pods","type":"cniv6"}"""),
        new("ipam as an array", 7, "'ipam'", Stdin: """{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":[]}"""),
        new("ipam type empty", 7, "'ipam.type'", Stdin: Ipam("\"type\":\"\",\"pools\":[\"fd00::/64\"]")),
        new("ipam type with path", 7, "'ipam.type'", Stdin: Ipam("\"type\":\"../../bin/sh\"")),
        new("ipam dataDir relative", 7, "'ipam.dataDir'", Stdin: Ipam("\"pools\":[\"fd00::/64\"],\"dataDir\":\"var/lib\"")),
        new("pools missing", 7, "'ipam.pools'", Stdin: Ipam("")),
        new("pools empty", 7, "'ipam.pools'", Stdin: Ipam("\"pools\":[]")),
        new("pools as a string", 7, "'ipam.pools'", Stdin: Ipam("\"pools\":\"fd00::/64\"")),
        new("pool item not a string", 7, "'ipam.pools[1]'", Stdin: Ipam("\"pools\":[\"fd00::/64\",{}]")),
        new("pool without prefix", 7, "'ipam.pools[0]'", Stdin: Ipam("\"pools\":[\"fd00::\"]")),
        new("pool in shorthand IPv4", 7, "'ipam.pools[0]'", Stdin: Ipam("\"pools\":[\"10.1/16\"]")),
        new("pool with scope id", 7, "'ipam.pools[0]'", Stdin: Ipam("\"pools\":[\"fe80::%eth0/64\"]")),
        new("pool prefix out of range", 7, "'ipam.pools[0]'", Stdin: Ipam("\"pools\":[\"10.0.0.0/33\"]")),
        new("pool with host bits", 7, "host bits", Stdin: Ipam("\"pools\":[\"fd00::1/64\"]")),
        new("overlapping IPv6 pools", 7, "'ipam.pools[1]'", Stdin: Ipam("\"pools\":[\"fd00::/64\",\"fd00::/48\"]")),
        new("two IPv4 pools", 7, "second IPv4 pool", Stdin: Ipam("\"pools\":[\"10.1.0.0/16\",\"10.2.0.0/16\"]")),
        new("three pools", 7, "'ipam.pools'", Stdin: Ipam("\"pools\":[\"fd00::/64\",\"10.1.0.0/16\",\"fd01::/64\"]")),
        new("IPv6 pool /127 too small", 7, "too small", Stdin: Ipam("\"pools\":[\"fd00::/127\"]")),
        new("IPv6 pool /128 too small", 7, "too small", Stdin: Ipam("\"pools\":[\"fd00::1/128\"]")),
        new("IPv4 pool /31 too small", 7, "too small", Stdin: Ipam("\"pools\":[\"10.0.0.0/31\"]")),
        new("IPv4 pool /32 too small", 7, "too small", Stdin: Ipam("\"pools\":[\"10.0.0.7/32\"]")),
        new("link-local IPv6 pool", 7, "link-local", Stdin: Ipam("\"pools\":[\"fe80::/64\"]")),
        new("multicast IPv6 pool", 7, "multicast", Stdin: Ipam("\"pools\":[\"ff02::/64\"]")),
        new("loopback IPv4 pool", 7, "loopback", Stdin: Ipam("\"pools\":[\"127.0.0.0/24\"]")),
        new("GC attachments not a list", 7, "'cni.dev/valid-attachments'",
            Env: new() { ["CNI_COMMAND"] = "GC" }, Stdin: With("\"cni.dev/valid-attachments\":{}")),
        new("GC attachment without ifname", 7, "'cni.dev/valid-attachments[0].ifname'",
            Env: new() { ["CNI_COMMAND"] = "GC" }, Stdin: With("\"cni.dev/valid-attachments\":[{\"containerID\":\"abc\"}]")),
    }.ToDictionary(c => c.Name);

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Fact]
    public void The_table_covers_at_least_thirty_cases() => Assert.True(Cases.Count >= 30, $"{Cases.Count} cases");

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Hostile_input_is_rejected_with_the_exact_code_before_the_plugin_runs(string name)
    {
        var hostile = Cases[name];
        var harness = new DispatcherHarness();
        foreach (var (variable, value) in hostile.Env ?? [])
        {
            if (value is null)
            {
                harness.Environment.Remove(variable);
            }
            else
            {
                harness.Environment[variable] = value;
            }
        }

        var outcome = harness.Run(hostile.StdinBytes ?? Encoding.UTF8.GetBytes(hostile.Stdin ?? DispatcherHarness.ValidConfig));

        Assert.NotEqual(0, outcome.ExitCode);
        Assert.Equal(hostile.Code, outcome.ErrorCode);
        Assert.Contains(hostile.Names, outcome.ErrorText, StringComparison.Ordinal);
        Assert.True(CniVersion.IsSupported(outcome.Json.GetProperty("cniVersion").GetString()));
        Assert.Equal(0, harness.PluginsCreated);
        Assert.Empty(harness.Plugin.Calls);
    }

    private static string Config(string version) => $$"""{"cniVersion":"{{version}}","name":"pods","type":"cniv6",{{Pools}}}""";

    private static string With(string field) => $$"""{"cniVersion":"1.1.0","name":"pods","type":"cniv6",{{Pools}},{{field}}}""";

    private static string Ipam(string fields) => """{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":{""" + fields + "}}";

    private static string NestingBomb() =>
        """{"cniVersion":"1.1.0","name":"pods","type":"cniv6","x":""" + new string('[', 100_000) + new string(']', 100_000) + "}";

    private static byte[] HugeConfig()
    {
        // A valid config padded with whitespace just past the limit: only the size is wrong.
        var config = Encoding.UTF8.GetBytes(DispatcherHarness.ValidConfig);
        var bytes = new byte[CniDispatcher.MaxStdinBytes + 1];
        bytes.AsSpan().Fill((byte)' ');
        config.CopyTo(bytes, 0);
        return bytes;
    }

    /// <param name="Names">Text the message or details must contain: the variable, field or problem.</param>
    private sealed record HostileCase(
        string Name,
        int Code,
        string Names,
        Dictionary<string, string?>? Env = null,
        string? Stdin = null,
        byte[]? StdinBytes = null);
}
