using System.Net;
using System.Runtime.Versioning;
using System.Text;
using CniV6.Plugin.Cni;
using Microsoft.Extensions.Logging;
using CniV6.Core.Config;

namespace CniV6.UnitTests.Cni;

[SupportedOSPlatform("linux")]
public sealed class CniDispatcherTests
{
    private const string SupportedVersions = "\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]";

    [Fact]
    public void VERSION_without_stdin_or_other_variables_answers_in_the_latest_version()
    {
        var harness = new DispatcherHarness();
        harness.Environment.Clear();
        harness.Environment["CNI_COMMAND"] = "VERSION";

        var outcome = harness.Run("");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("{\"cniVersion\":\"1.1.0\"," + SupportedVersions + "}", outcome.Stdout);
        Assert.Equal(0, harness.PluginsCreated);
        Assert.Empty(harness.LogsOpened);
    }

    [Theory]
    [InlineData("0.4.0")]
    [InlineData("1.0.0")]
    [InlineData("0.2.0")]
    public void VERSION_echoes_the_cniVersion_given_on_stdin(string version)
    {
        var harness = new DispatcherHarness();
        harness.Environment["CNI_COMMAND"] = "VERSION";

        var outcome = harness.Run($$"""{"cniVersion":"{{version}}"}""");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal($"{{\"cniVersion\":\"{version}\"," + SupportedVersions + "}", outcome.Stdout);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"cniVersion":"</script>"}""")]
    [InlineData("""{"cniVersion":7}""")]
    public void VERSION_with_unusable_stdin_still_answers_in_the_latest_version(string stdin)
    {
        var harness = new DispatcherHarness();
        harness.Environment["CNI_COMMAND"] = "VERSION";

        var outcome = harness.Run(stdin);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("{\"cniVersion\":\"1.1.0\"," + SupportedVersions + "}", outcome.Stdout);
    }

    [Fact]
    public void ADD_hands_the_plugin_a_complete_request_and_prints_its_result_in_the_config_version()
    {
        var harness = new DispatcherHarness();
        harness.Environment["CNI_ARGS"] = "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0";
        harness.Plugin.Result = new CniResult(
            "1.1.0",
            [new CniInterface("eth0", "02:42:ac:11:00:02", "/var/run/netns/pod1", 1500)],
            [new CniIpConfig(IPAddress.Parse("fd00:10:244::5"), 128, IPAddress.Parse("fe80::ecee:eeff:feee:eeee"), 0)],
            []);
        var config = """{"cniVersion":"0.4.0","name":"pods","type":"cniv6","mtu":1500,"ipam":{"pools":["fd00:10:244::/64"]}}""";

        var outcome = harness.Run(config);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(
            """{"cniVersion":"0.4.0","interfaces":[{"name":"eth0","mac":"02:42:ac:11:00:02","sandbox":"/var/run/netns/pod1"}],"ips":[{"version":"6","interface":0,"address":"fd00:10:244::5/128","gateway":"fe80::ecee:eeff:feee:eeee"}]}""",
            outcome.Stdout);
        Assert.Equal(["ADD"], harness.Plugin.Calls);
        var request = harness.Plugin.LastRequest!;
        Assert.Equal("ADD", request.Command);
        Assert.Equal("3f2a9c1b7d", request.ContainerId);
        Assert.Equal("/var/run/netns/pod1", request.NetNs);
        Assert.Equal("eth0", request.IfName);
        Assert.Equal(["/opt/cni/bin", "/usr/lib/cni"], request.Path);
        Assert.Equal(
            [new("IgnoreUnknown", "1"), new("K8S_POD_NAMESPACE", "default"), new KeyValuePair<string, string>("K8S_POD_NAME", "web-0")],
            request.Args);
        Assert.Equal(Encoding.UTF8.GetBytes(config), request.StdinBytes);
        Assert.Equal("pods", request.Config.Name);
        Assert.Equal(1500, request.Config.Mtu);
    }

    [Fact]
    public void DEL_without_netns_reaches_the_plugin_with_a_null_netns_and_prints_nothing()
    {
        var harness = new DispatcherHarness();
        harness.Environment["CNI_COMMAND"] = "DEL";
        harness.Environment.Remove("CNI_NETNS");

        var outcome = harness.Run(DispatcherHarness.ValidConfig);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("", outcome.Stdout);
        Assert.Equal(["DEL"], harness.Plugin.Calls);
        Assert.Null(harness.Plugin.LastRequest!.NetNs);
    }

    [Fact]
    public void CHECK_reaches_the_plugin_with_the_raw_prevResult()
    {
        var harness = new DispatcherHarness();
        harness.Environment["CNI_COMMAND"] = "CHECK";
        var config = """{"cniVersion":"1.0.0","name":"pods","type":"cniv6","ipam":{"pools":["fd00::/64"]},"prevResult":{"cniVersion":"1.0.0","ips":[{"address":"fd00::2/128"}]}}""";

        var outcome = harness.Run(config);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("", outcome.Stdout);
        var previous = CniResult.Parse(harness.Plugin.LastRequest!.Config.PrevResult!.Value);
        Assert.Equal(IPAddress.Parse("fd00::2"), Assert.Single(previous.Ips).Address);
    }

    [Fact]
    public void GC_needs_no_container_variables_and_passes_the_valid_attachments()
    {
        var harness = new DispatcherHarness();
        harness.Environment.Clear();
        harness.Environment["CNI_COMMAND"] = "GC";
        harness.Environment["CNI_CONTAINERID"] = "../ignored-for-gc";
        var config = """{"cniVersion":"1.1.0","name":"pods","type":"cniv6","ipam":{"pools":["fd00::/64"]},"cni.dev/valid-attachments":[{"containerID":"a1","ifname":"eth0"},{"containerID":"b2","ifname":"net1"}]}""";

        var outcome = harness.Run(config);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("", outcome.Stdout);
        Assert.Equal(["GC"], harness.Plugin.Calls);
        Assert.Equal([new CniAttachment("a1", "eth0"), new CniAttachment("b2", "net1")], harness.Plugin.LastValidAttachments);
        Assert.Equal("", harness.Plugin.LastRequest!.ContainerId);
        Assert.Empty(harness.Plugin.LastRequest.Path);
    }

    [Fact]
    public void STATUS_not_available_is_printed_with_the_plugin_code_and_details()
    {
        var harness = new DispatcherHarness();
        harness.Environment["CNI_COMMAND"] = "STATUS";
        harness.Plugin.Failure = new CniException(CniErrorCode.PluginNotAvailable, "no free addresses left", "fd00::/126");

        var outcome = harness.Run(DispatcherHarness.ValidConfig);

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("""{"cniVersion":"1.1.0","code":50,"msg":"no free addresses left","details":"fd00::/126"}""", outcome.Stdout);
    }

    [Fact]
    public void An_unexpected_exception_becomes_error_999_in_the_config_version()
    {
        var harness = new DispatcherHarness();
        harness.Plugin.Failure = new InvalidOperationException("boom");
        var config = DispatcherHarness.ValidConfig.Replace("1.1.0", "1.0.0", StringComparison.Ordinal);

        var outcome = harness.Run(config);

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("""{"cniVersion":"1.0.0","code":999,"msg":"boom","details":"System.InvalidOperationException"}""", outcome.Stdout);
        Assert.Contains(harness.Log.Events, e => e.EventId == 1004 && e.Level == LogLevel.Error);
    }

    [Fact]
    public void A_field_error_answers_in_the_version_the_config_asked_for()
    {
        var harness = new DispatcherHarness();
        var config = """{"cniVersion":"0.3.1","name":"pods","type":"cniv6","mtu":"big","ipam":{"pools":["fd00::/64"]}}""";

        var outcome = harness.Run(config);

        Assert.Equal("""{"cniVersion":"0.3.1","code":7,"msg":"invalid config: field 'mtu': expected an integer, got a string"}""", outcome.Stdout);
    }

    [Fact]
    public void The_log_is_opened_with_the_configured_file_level_and_cap_and_records_start_and_end()
    {
        var harness = new DispatcherHarness();
        harness.Environment["CNI_COMMAND"] = "DEL";
        var config = """{"cniVersion":"1.1.0","name":"pods","type":"cniv6","logFile":"/tmp/x/cniv6.log","logLevel":"debug","logFileMaxBytes":65536,"logFileMaxFiles":2,"ipam":{"pools":["fd00::/64"]}}""";

        harness.Run(config);

        var settings = Assert.Single(harness.LogsOpened);
        Assert.Equal("/tmp/x/cniv6.log", settings.LogFile);
        Assert.Equal(LogLevel.Debug, settings.MinimumLevel);
        Assert.Equal((65536L, 2), (settings.MaxFileBytes, settings.MaxFiles));
        Assert.Equal("DEL 3f2a9c1b7d eth0", settings.Invocation.Text);
        Assert.True(harness.Log.Disposed);
        Assert.Collection(
            harness.Log.Events,
            started => Assert.Equal((1001, "DEL started: network pods (cniVersion 1.1.0), container 3f2a9c1b7d, ifname eth0, netns /var/run/netns/pod1"), (started.EventId, started.Message)),
            succeeded =>
            {
                Assert.Equal(1002, succeeded.EventId);
                Assert.Matches("^DEL succeeded in [0-9]+ µs$", succeeded.Message);
            });
    }

    [Fact]
    public void A_failure_before_the_config_is_known_is_logged_to_the_default_log()
    {
        var harness = new DispatcherHarness();
        harness.Environment["CNI_IFNAME"] = "..";

        harness.Run(DispatcherHarness.ValidConfig);

        var settings = Assert.Single(harness.LogsOpened);
        Assert.Equal(NetworkConfig.DefaultLogFile, settings.LogFile);
        Assert.Equal((NetworkConfig.DefaultLogFileMaxBytes, NetworkConfig.DefaultLogFileMaxFiles), (settings.MaxFileBytes, settings.MaxFiles));
        // The refused invocation is still attributable: its lines name the command and container as given.
        Assert.Equal("ADD 3f2a9c1b7d ..", settings.Invocation.Text);
        var failed = Assert.Single(harness.Log.Events);
        Assert.Equal(1003, failed.EventId);
        Assert.Contains("code 4", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stdin_of_exactly_the_limit_is_accepted()
    {
        var harness = new DispatcherHarness();
        harness.Environment["CNI_COMMAND"] = "DEL";
        var config = Encoding.UTF8.GetBytes(DispatcherHarness.ValidConfig);
        var stdin = new byte[CniDispatcher.MaxStdinBytes];
        stdin.AsSpan().Fill((byte)'\n');
        config.CopyTo(stdin, 0);

        var outcome = harness.Run(stdin);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(["DEL"], harness.Plugin.Calls);
    }
}
