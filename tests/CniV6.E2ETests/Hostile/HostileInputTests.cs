using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CniV6.E2ETests.Infrastructure;
using CniDispatcher = CniV6.Plugin.Cni.CniDispatcher;
using CniErrorCode = CniV6.Plugin.Cni.CniErrorCode;

namespace CniV6.E2ETests.Hostile;

/// <summary>
/// Hostile and broken input against the real AOT binary in a throwaway node: every case must end in the exact CNI
/// error code, a message naming the problem, a non-zero exit, and a host (links, addresses and routes of the node
/// and its pods, both nat tables, the IPAM store) identical before and after. A bystander pod is attached first
/// so "unchanged" covers real wiring, not just an empty node.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HostileInputTests
{
    private static readonly HostileCase[] Cases =
    [
        // Stdin that is not a usable JSON document.
        new("malformed JSON", "ADD", CniErrorCode.DecodingFailure, "error decoding network config",
            Arrange: s => s.Stdin = """{"cniVersion": "1.1.0", "name": "hostile", "type": """),
        new("JSON that is not an object", "ADD", CniErrorCode.DecodingFailure, "expected a JSON object",
            Arrange: s => s.Stdin = """["cniVersion", "1.1.0"]"""),
        new("duplicate keys", "ADD", CniErrorCode.DecodingFailure, "duplicate property \"name\"",
            Arrange: s => s.Stdin = s.Config.ToJsonString().Replace("\"name\":", "\"name\":\"other\",\"name\":", StringComparison.Ordinal)),
        new("JSON nesting bomb", "ADD", CniErrorCode.DecodingFailure, "nesting depth exceeds the maximum of 32",
            Arrange: s => s.Stdin = "{\"a\":" + new string('[', 100_000) + new string(']', 100_000) + "}"),
        new("huge stdin (bounded read)", "ADD", CniErrorCode.InvalidNetworkConfig, $"larger than {CniDispatcher.MaxStdinBytes} bytes",
            Arrange: s => s.Stdin = s.ConfigWith("padding", new string('x', 64 * 1024 * 1024))),

        // Wrong types and invalid values.
        new("name is a number", "ADD", CniErrorCode.InvalidNetworkConfig, "name", Arrange: s => s.Stdin = s.ConfigWith("name", 5)),
        new("mtu is a string", "ADD", CniErrorCode.InvalidNetworkConfig, "mtu", Arrange: s => s.Stdin = s.ConfigWith("mtu", "1500")),
        new("ipMasq is a string", "ADD", CniErrorCode.InvalidNetworkConfig, "ipMasq", Arrange: s => s.Stdin = s.ConfigWith("ipMasq", "yes")),
        new("ipam is a string", "ADD", CniErrorCode.InvalidNetworkConfig, "ipam", Arrange: s => s.Stdin = s.ConfigWith("ipam", Pools.IPv6)),
        new("pools is a string", "ADD", CniErrorCode.InvalidNetworkConfig, "ipam.pools",
            Arrange: s => s.Stdin = WithIpam(s, "pools", Pools.IPv6)),
        new("relative dataDir", "ADD", CniErrorCode.InvalidNetworkConfig, "ipam.dataDir",
            Arrange: s => s.Stdin = WithIpam(s, "dataDir", "../../etc")),
        new("relative logFile", "ADD", CniErrorCode.InvalidNetworkConfig, "logFile", Arrange: s => s.Stdin = s.ConfigWith("logFile", "cniv6.log")),

        // Versions.
        new("unknown cniVersion", "ADD", CniErrorCode.IncompatibleVersion, "incompatible CNI versions",
            Arrange: s => s.Stdin = s.ConfigWith("cniVersion", "9.9.9")),
        new("GC below 1.1.0", "GC", CniErrorCode.IncompatibleVersion, "config version does not allow GC",
            Arrange: s => s.Stdin = s.ConfigWith("cniVersion", "1.0.0")),
        new("STATUS below 1.1.0", "STATUS", CniErrorCode.IncompatibleVersion, "config version does not allow STATUS",
            Arrange: s => s.Stdin = s.ConfigWith("cniVersion", "1.0.0")),
        new("CHECK below 0.4.0", "CHECK", CniErrorCode.IncompatibleVersion, "config version does not allow CHECK",
            Arrange: s => s.Stdin = s.ConfigWith("cniVersion", "0.3.1")),

        // CNI_* variables.
        new("missing CNI_COMMAND", "ADD", CniErrorCode.InvalidEnvironment, "CNI_COMMAND", Arrange: s => s.Environment.Remove("CNI_COMMAND")),
        new("unknown CNI_COMMAND", "ADD", CniErrorCode.InvalidEnvironment, "unknown CNI_COMMAND", Arrange: s => s.Environment["CNI_COMMAND"] = "REBOOT"),
        new("missing CNI_CONTAINERID", "ADD", CniErrorCode.InvalidEnvironment, "CNI_CONTAINERID", Arrange: s => s.Environment.Remove("CNI_CONTAINERID")),
        new("empty CNI_NETNS", "ADD", CniErrorCode.InvalidEnvironment, "CNI_NETNS", Arrange: s => s.Environment["CNI_NETNS"] = ""),
        new("missing CNI_IFNAME", "DEL", CniErrorCode.InvalidEnvironment, "CNI_IFNAME", Arrange: s => s.Environment.Remove("CNI_IFNAME")),
        new("malformed CNI_ARGS", "ADD", CniErrorCode.InvalidEnvironment, "CNI_ARGS", Arrange: s => s.Environment["CNI_ARGS"] = "K8S_POD_NAME"),
        new("CNI_CONTAINERID path traversal", "ADD", CniErrorCode.InvalidEnvironment, "CNI_CONTAINERID",
            Arrange: s => s.Environment["CNI_CONTAINERID"] = "../../etc"),
        new("CNI_CONTAINERID traversal on DEL", "DEL", CniErrorCode.InvalidEnvironment, "CNI_CONTAINERID",
            Arrange: s => s.Environment["CNI_CONTAINERID"] = "../" + s.Bystander.ContainerId),
        new("CNI_CONTAINERID starting with -", "ADD", CniErrorCode.InvalidEnvironment, "CNI_CONTAINERID",
            Arrange: s => s.Environment["CNI_CONTAINERID"] = "-rf"),
        new("CNI_IFNAME longer than 15 bytes", "ADD", CniErrorCode.InvalidEnvironment, "longer than 15 bytes",
            Arrange: s => s.Environment["CNI_IFNAME"] = "eth0123456789abc"),
        new("CNI_IFNAME with /", "ADD", CniErrorCode.InvalidEnvironment, "CNI_IFNAME", Arrange: s => s.Environment["CNI_IFNAME"] = "eth/0"),
        new("CNI_IFNAME with :", "ADD", CniErrorCode.InvalidEnvironment, "CNI_IFNAME", Arrange: s => s.Environment["CNI_IFNAME"] = "eth0:1"),
        new("CNI_IFNAME with whitespace", "ADD", CniErrorCode.InvalidEnvironment, "CNI_IFNAME", Arrange: s => s.Environment["CNI_IFNAME"] = "eth 0"),
        new("CNI_IFNAME is .", "ADD", CniErrorCode.InvalidEnvironment, "CNI_IFNAME", Arrange: s => s.Environment["CNI_IFNAME"] = "."),
        new("CNI_IFNAME is ..", "ADD", CniErrorCode.InvalidEnvironment, "CNI_IFNAME", Arrange: s => s.Environment["CNI_IFNAME"] = ".."),
        new("CNI_IFNAME with a non-ASCII letter (was code 999)", "ADD", CniErrorCode.InvalidEnvironment, "printable ASCII",
            Arrange: s => s.Environment["CNI_IFNAME"] = "eth\u00e9"),
        new("CNI_CONTAINERID with a trailing newline", "ADD", CniErrorCode.InvalidEnvironment, "CNI_CONTAINERID",
            Arrange: s => s.Environment["CNI_CONTAINERID"] += "\n"),
        new("network name with a trailing newline", "ADD", CniErrorCode.InvalidNetworkConfig, "name",
            Arrange: s => s.Stdin = s.ConfigWith("name", "hostile\n")),
        new("network name so long the link alias overflows (was code 999)", "ADD", CniErrorCode.InvalidNetworkConfig, "at most 100 characters",
            Arrange: s => s.Stdin = s.ConfigWith("name", new string('n', 200))),
        new("CNI_CONTAINERID so long the link alias overflows", "ADD", CniErrorCode.InvalidEnvironment, "longer than 128 characters",
            Arrange: s => s.Environment["CNI_CONTAINERID"] = new string('c', 250)),
        new("network name too long on DEL", "DEL", CniErrorCode.InvalidNetworkConfig, "at most 100 characters",
            Arrange: s => s.Stdin = s.ConfigWith("name", new string('n', 300))),
        new("CNI_NETNS does not exist", "ADD", CniErrorCode.InvalidNetNs, "does not exist",
            Arrange: s => s.Environment["CNI_NETNS"] = "/var/run/netns/cv6e-no-such-pod"),
        new("CNI_NETNS is not a network namespace", "ADD", CniErrorCode.InvalidNetNs, "is not a network namespace",
            Arrange: s => s.Environment["CNI_NETNS"] = s.StatePath),
        new("CNI_NETNS is the plugin's own namespace", "ADD", CniErrorCode.InvalidNetNs, "should not be the same",
            Arrange: s => s.Environment["CNI_NETNS"] = s.Node.Namespace.Path),
        new("CNI_NETNS does not exist on CHECK", "CHECK", CniErrorCode.InvalidNetNs, "does not exist",
            Arrange: s => ArrangeCheckOfBystander(s, netns: "/var/run/netns/cv6e-no-such-pod")),

        // ADD must fail when the interface already exists in the pod (SPEC "ADD").
        new("interface already exists in the pod", "ADD", CniErrorCode.PluginFailure, "eth0 already exists",
            Arrange: s =>
            {
                s.Pod.Namespace.Ip("link", "add", s.Pod.IfName, "type", "veth", "peer", "name", "eth0-peer");
                s.IgnoreStoreCursors = true;
            }),

        // Pools.
        new("pool that is not a CIDR", "ADD", CniErrorCode.InvalidNetworkConfig, "is not a CIDR",
            Arrange: s => s.Stdin = WithIpam(s, "pools", new JsonArray("fd00:10:244:1::/64", "10.244.1.0"))),
        new("pool with host bits", "ADD", CniErrorCode.InvalidNetworkConfig, "host bits",
            Arrange: s => s.Stdin = WithIpam(s, "pools", new JsonArray("fd00:10:244:1::5/64"))),
        new("overlapping IPv6 pools", "ADD", CniErrorCode.InvalidNetworkConfig, "second IPv6 pool",
            Arrange: s => s.Stdin = WithIpam(s, "pools", new JsonArray("fd00:10:244::/48", "fd00:10:244:1::/64"))),
        new("link-local pool", "ADD", CniErrorCode.InvalidNetworkConfig, "link-local",
            Arrange: s => s.Stdin = WithIpam(s, "pools", new JsonArray("fe80::/64"))),
        new("IPv4 pool too small", "ADD", CniErrorCode.InvalidNetworkConfig, "too small",
            Arrange: s => s.Stdin = WithIpam(s, "pools", new JsonArray("10.244.1.0/31"))),
        new("IPv6 pool too small", "ADD", CniErrorCode.InvalidNetworkConfig, "too small",
            Arrange: s => s.Stdin = WithIpam(s, "pools", new JsonArray("fd00:10:244:1::/127"))),
        new("pool exhausted", "ADD", CniErrorCode.PoolExhausted, "no free address left in pool 10.99.0.0/30",
            Prepare: s => s.SetPools(Pools.IPv6, "10.99.0.0/30"),
            Arrange: s => s.Attach(s.Node.CreatePod())),

        // The IPAM store.
        new("corrupt store file", "ADD", CniErrorCode.IoFailure, "is unusable",
            Arrange: s => File.WriteAllText(s.StatePath, "{\"version\": 1, \"allocations\": [ {\"containerId\": 42 ")),
        new("truncated store file", "ADD", CniErrorCode.IoFailure, "is unusable",
            Arrange: s =>
            {
                // Half of the JSON (the file is padded with spaces after it).
                string state = File.ReadAllText(s.StatePath).TrimEnd();
                File.WriteAllText(s.StatePath, state[..(state.Length / 2)]);
            }),
        new("store file of a newer version", "ADD", CniErrorCode.IoFailure, "unsupported version 3",
            Arrange: s => File.WriteAllText(s.StatePath, "{\"version\":3,\"network\":\"" + HostileSetup.NetworkName + "\",\"pools\":[]}")),
        new("garbage record of the pod being added", "ADD", CniErrorCode.IoFailure, "is unusable",
            Arrange: s => File.WriteAllText(s.RecordPath(s.Pod), "{\"containerId\": 42")),
        new("symlink as the pod's record", "ADD", CniErrorCode.IoFailure, "is a symbolic link",
            Arrange: s => File.CreateSymbolicLink(s.RecordPath(s.Pod), Path.Combine(s.Node.WorkDir, "elsewhere"))),
        new("corrupt store file on DEL", "DEL", CniErrorCode.IoFailure, "is unusable",
            Arrange: s => File.WriteAllText(s.StatePath, "not json")),
        new("FIFO as state.json (hung ADD with the lock held)", "ADD", CniErrorCode.IoFailure, "is a FIFO, not a regular file",
            Arrange: s => ReplaceWithFifo(s.StatePath)),
        new("FIFO as the store's lock file", "ADD", CniErrorCode.IoFailure, "is a FIFO, not a regular file",
            Arrange: s => ReplaceWithFifo(Path.Combine(s.DataDir, HostileSetup.NetworkName, "lock"))),
        new("symlink as the store's lock file", "ADD", CniErrorCode.IoFailure, "is a symbolic link",
            Arrange: s =>
            {
                string lockPath = Path.Combine(s.DataDir, HostileSetup.NetworkName, "lock");
                File.Delete(lockPath);
                File.CreateSymbolicLink(lockPath, Path.Combine(s.Node.WorkDir, "elsewhere"));
            }),
        new("1 GiB state.json (bounded read)", "ADD", CniErrorCode.IoFailure, "more than the 16777216 bytes",
            Arrange: s =>
            {
                using var huge = new FileStream(s.StatePath, FileMode.Open);
                huge.SetLength(1L << 30);
            }),
        new("store directory writable by others", "ADD", CniErrorCode.IoFailure, "writable by group or others",
            Arrange: s => File.SetUnixFileMode(Path.Combine(s.DataDir, HostileSetup.NetworkName), (UnixFileMode)0x1FF)),
        new("read-only dataDir", "ADD", CniErrorCode.IoFailure, "Read-only file system",
            Arrange: s =>
            {
                s.Run(["mount", "--bind", s.DataDir, s.DataDir], ["umount", s.DataDir]);
                ProcessRunner.RunChecked("mount", "-o", "remount,bind,ro", s.DataDir);
            }),
        new("full dataDir", "ADD", CniErrorCode.IoFailure, "No space left on device",
            Prepare: s =>
            {
                string full = Path.Combine(s.Node.WorkDir, "full");
                Directory.CreateDirectory(full);
                s.Run(["mount", "-t", "tmpfs", "-o", "size=64k", "cv6e-full", full], ["umount", full]);
                s.Config["ipam"]!["dataDir"] = full;
            },
            Arrange: s => FillUp(Path.Combine(s.DataDir, "filler"))),

        // CHECK against a prevResult the attachment does not match.
        new("CHECK without prevResult", "CHECK", CniErrorCode.InvalidNetworkConfig, "CHECK needs prevResult",
            Arrange: s => s.Environment = CniEnvironment.ForAttachment("CHECK", s.Bystander)),
        new("CHECK with a prevResult that does not match", "CHECK", CniErrorCode.CheckFailed, "fd00:10:244:1::dead",
            Arrange: s => ArrangeCheckOfBystander(s, netns: null)),
    ];

    public static TheoryData<string> CaseNames() => [.. Cases.Select(c => c.Name)];

    [Fact]
    public void Table_has_at_least_thirty_distinct_cases()
    {
        Assert.True(Cases.Length >= 30, $"{Cases.Length} cases");
        Assert.Equal(Cases.Length, Cases.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Hostile_input_fails_with_exact_code_and_leaves_the_host_unchanged(string name)
    {
        HostileCase hostile = Cases.Single(c => c.Name == name);
        using var node = new E2ENode();
        using var setup = new HostileSetup(node);

        hostile.Prepare?.Invoke(setup);
        setup.Attach(setup.Bystander);
        setup.Environment = hostile.Command is "GC" or "STATUS"
            ? CniEnvironment.ForCommand(hostile.Command)
            : CniEnvironment.ForAttachment(hostile.Command, setup.Pod);
        hostile.Arrange?.Invoke(setup);

        HostSnapshot before = HostSnapshot.Take(node, setup.Pods, setup.DataDir, setup.IgnoreStoreCursors);
        ProcessResult result = PluginInvocation.Run(node, setup.Environment, setup.Stdin ?? setup.Config.ToJsonString());
        HostSnapshot after = HostSnapshot.Take(node, setup.Pods, setup.DataDir, setup.IgnoreStoreCursors);

        string context = result.Describe() + "\n--- plugin log ---\n" + node.PluginLogTail();
        Assert.True(result.ExitCode != 0, "exit code 0\n" + context);
        using JsonDocument error = JsonDocument.Parse(result.StandardOutput);
        Assert.True(error.RootElement.TryGetProperty("code", out JsonElement code), "no error object\n" + context);
        Assert.True(code.GetInt32() == hostile.Code, $"code {code.GetInt32()}, expected {hostile.Code}\n{context}");
        string message = error.RootElement.GetProperty("msg").GetString()!;
        Assert.True(message.Contains(hostile.Message, StringComparison.Ordinal), $"message \"{message}\" does not name \"{hostile.Message}\"\n{context}");
        Assert.Equal(before.Text, after.Text);
    }

    private static string WithIpam(HostileSetup setup, string field, JsonNode value)
    {
        var copy = (JsonObject)setup.Config.DeepClone();
        copy["ipam"]![field] = value;
        return copy.ToJsonString();
    }

    /// <summary>CHECK of the bystander with the ADD result it got, but an IPv6 address it never had.</summary>
    private static void ArrangeCheckOfBystander(HostileSetup setup, string? netns)
    {
        setup.Environment = CniEnvironment.ForAttachment("CHECK", setup.Bystander);
        if (netns is not null)
        {
            setup.Environment["CNI_NETNS"] = netns;
        }

        var config = (JsonObject)setup.Config.DeepClone();
        config["prevResult"] = new JsonObject
        {
            ["cniVersion"] = "1.1.0",
            ["interfaces"] = new JsonArray(new JsonObject { ["name"] = setup.Bystander.IfName, ["sandbox"] = setup.Bystander.Namespace.Path }),
            ["ips"] = new JsonArray(new JsonObject { ["address"] = "fd00:10:244:1::dead/128", ["interface"] = 0 }),
        };
        setup.Stdin = config.ToJsonString();
    }

    /// <summary>Puts a FIFO where a file was (mkfifo(1)).</summary>
    private static void ReplaceWithFifo(string path)
    {
        File.Delete(path);
        ProcessRunner.RunChecked("mkfifo", path);
    }

    /// <summary>Writes until the file system is full (ENOSPC is the point).</summary>
    private static void FillUp(string path)
    {
        using FileStream file = File.Create(path);
        byte[] block = Encoding.ASCII.GetBytes(new string('x', 4096));
        try
        {
            while (true)
            {
                file.Write(block);
                file.Flush(flushToDisk: true);
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }
}
