using System.Diagnostics;
using System.Net;
using System.Runtime.Versioning;
using System.Text;
using CniV6.Plugin.Cni;
using CniV6.Core.Config;

namespace CniV6.UnitTests.Cni;

/// <summary>Runs small bash scripts in a temporary CNI_PATH directory as the delegated IPAM plugin.</summary>
[SupportedOSPlatform("linux")]
public sealed class DelegatedIpamTests : IDisposable
{
    private const string Config =
        """{"cniVersion":"1.0.0","name":"pods","type":"cniv6","ipam":{"type":"fake-ipam","ranges":[[{"subnet":"10.1.2.0/24"}]]}}""";

    private readonly TempDirectory bin = new();

    public void Dispose() => bin.Dispose();

    [Fact]
    public void ADD_returns_the_delegate_result_and_gives_it_our_environment_and_stdin()
    {
        const string Result = """{"cniVersion":"1.0.0","ips":[{"address":"10.1.2.5/24","gateway":"10.1.2.1"}],"dns":{"nameservers":["10.1.2.53"]}}""";
        bin.WriteScript("fake-ipam", $"""
            cat > '{bin.Combine("stdin.json")}'
            env | grep '^CNI_' | sort > '{bin.Combine("env.txt")}'
            printf '%s' '{Result}'
            """);
        var request = Request("ADD");

        var result = DelegatedIpam.Invoke(request, "ADD");

        var ip = Assert.Single(result!.Ips);
        Assert.Equal(IPAddress.Parse("10.1.2.5"), ip.Address);
        Assert.Equal(24, ip.PrefixLength);
        Assert.Equal(["10.1.2.53"], result.Dns!.Nameservers);
        Assert.Equal(request.StdinBytes, File.ReadAllBytes(bin.Combine("stdin.json")));
        Assert.Equal(
            [
                "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=web-0",
                "CNI_COMMAND=ADD",
                "CNI_CONTAINERID=c0ffee",
                "CNI_IFNAME=eth0",
                "CNI_NETNS=/var/run/netns/pod1",
                $"CNI_PATH=/nonexistent:{bin.Path}",
            ],
            File.ReadAllLines(bin.Combine("env.txt")));
    }

    [Fact]
    public void DEL_without_netns_runs_the_delegate_without_CNI_NETNS_and_returns_no_result()
    {
        bin.WriteScript("fake-ipam", $"""
            env | grep '^CNI_' | sort > '{bin.Combine("env.txt")}'
            """);

        var result = DelegatedIpam.Invoke(Request("DEL", netNs: null), "DEL");

        Assert.Null(result);
        var environment = File.ReadAllLines(bin.Combine("env.txt"));
        Assert.Contains("CNI_COMMAND=DEL", environment);
        Assert.DoesNotContain(environment, line => line.StartsWith("CNI_NETNS=", StringComparison.Ordinal));
    }

    [Fact]
    public void The_delegate_error_object_is_propagated_with_its_code_msg_and_details()
    {
        bin.WriteScript("fake-ipam", """
            printf '%s' '{"cniVersion":"1.0.0","code":11,"msg":"range busy","details":"try later"}'
            exit 1
            """);

        var error = Assert.Throws<CniException>(() => DelegatedIpam.Invoke(Request("ADD"), "ADD"));

        Assert.Equal((11, "range busy", "try later"), (error.Code, error.Message, error.Details));
    }

    [Fact]
    public void A_delegate_failing_without_an_error_object_is_reported_with_its_exit_code_and_output()
    {
        bin.WriteScript("fake-ipam", """
            echo 'panic: nil map'
            exit 2
            """);

        var error = Assert.Throws<CniException>(() => DelegatedIpam.Invoke(Request("CHECK"), "CHECK"));

        Assert.Equal(CniErrorCode.DelegatedPluginFailed, error.Code);
        Assert.Contains("exit code 2", error.Message, StringComparison.Ordinal);
        Assert.Equal("panic: nil map", error.Details);
    }

    [Fact]
    public void An_unusable_ADD_result_is_a_decoding_error_naming_the_delegate()
    {
        bin.WriteScript("fake-ipam", """
            printf '%s' '{"cniVersion":"1.0.0","ips":[{"address":"10.1.2.5"}]}'
            """);

        var error = Assert.Throws<CniException>(() => DelegatedIpam.Invoke(Request("ADD"), "ADD"));

        Assert.Equal(CniErrorCode.DecodingFailure, error.Code);
        Assert.Contains("'fake-ipam'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'ips[0].address'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_delegate_is_a_config_error_naming_ipam_type()
    {
        var error = Assert.Throws<CniException>(() => DelegatedIpam.Invoke(Request("ADD"), "ADD"));

        Assert.Equal(CniErrorCode.InvalidNetworkConfig, error.Code);
        Assert.Contains("'ipam.type'", error.Message, StringComparison.Ordinal);
        Assert.Contains(bin.Path, error.Details, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_execute_permission_is_skipped_for_the_next_path_entry()
    {
        using var second = new TempDirectory();
        File.WriteAllText(bin.Combine("fake-ipam"), "#!/bin/bash\nexit 3\n");
        second.WriteScript("fake-ipam", "exit 0");
        var request = Request("DEL") with { Path = [bin.Path, second.Path] };

        Assert.Equal(second.Combine("fake-ipam"), DelegatedIpam.FindExecutable("fake-ipam", request.Path));
        Assert.Null(DelegatedIpam.Invoke(request, "DEL"));
    }

    [Fact]
    public void A_hanging_delegate_is_killed_at_the_timeout()
    {
        bin.WriteScript("fake-ipam", "exec sleep 60");
        var watch = Stopwatch.StartNew();

        var error = Assert.Throws<CniException>(() => DelegatedIpam.Invoke(Request("ADD"), "ADD", TimeSpan.FromMilliseconds(300)));

        Assert.Equal(CniErrorCode.DelegatedPluginFailed, error.Code);
        Assert.Contains("did not finish ADD", error.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    private CniRequest Request(string command, string? netNs = "/var/run/netns/pod1")
    {
        var stdin = Encoding.UTF8.GetBytes(Config);
        return new CniRequest(
            command,
            "c0ffee",
            netNs,
            "eth0",
            [new("IgnoreUnknown", "1"), new("K8S_POD_NAME", "web-0")],
            ["/nonexistent", bin.Path],
            NetworkConfigParser.Parse(stdin, command),
            stdin);
    }
}
