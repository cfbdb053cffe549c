using System.Runtime.Versioning;
using System.Text.Json;
using CniV6.Plugin.Cni;
using Microsoft.Extensions.Logging.Abstractions;
using CniV6.Core.Config;

namespace CniV6.UnitTests.Fuzz;

/// <summary>
/// Fuzz finding: a JSON string that cannot become a .NET string — raw bytes that are not UTF-8, or an escaped lone
/// surrogate such as <c>"\ud800"</c>. <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>
/// accepts both, and <see cref="JsonElement.GetString"/> then throws <see cref="InvalidOperationException"/>
/// ("Cannot transcode invalid UTF-8 JSON text to UTF-16 string", "… missing low surrogate") from
/// <c>JsonFieldReader</c> and from <see cref="NetworkConfigParser.TryReadVersion"/>, which is documented never to
/// throw. In the dispatcher the second throw happens inside its own catch block (choosing the error reply's
/// version), so the process dies without printing a CNI error. Inputs: <c>fuzz/corpus/{config,result}/finding-*</c>.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class UndecodableJsonStringFuzzFindingTests
{
    public static TheoryData<string> ConfigFindings => new()
    {
        "config/finding-invalid-utf8-cniversion.json",
        "config/finding-invalid-utf8-name.json",
        "config/finding-invalid-utf8-pool.json",
        "config/finding-lone-surrogate-logfile.json",
    };

    public static TheoryData<string> ResultFindings => new()
    {
        "result/finding-invalid-utf8-interface-name.json",
        "result/finding-lone-surrogate-interface-name.json",
    };

    [Theory]
    [MemberData(nameof(ConfigFindings))]
    public void Config_with_undecodable_string_is_rejected_with_a_cni_error(string file)
    {
        var input = FuzzCorpus.Read(file);

        var escaped = Record.Exception(() => NetworkConfigParser.Parse(input, CniCommand.Add));

        var error = Assert.IsType<ConfigException>(escaped);
        Assert.Contains(error.Code, new[] { CniErrorCode.DecodingFailure, CniErrorCode.InvalidNetworkConfig });
    }

    [Fact]
    public void Version_probe_of_invalid_utf8_cniversion_returns_null_instead_of_throwing()
    {
        var input = FuzzCorpus.Read("config/finding-invalid-utf8-cniversion.json");

        string? version = "not probed";
        var escaped = Record.Exception(() => version = NetworkConfigParser.TryReadVersion(input));

        Assert.Null(escaped);
        Assert.Null(version);
    }

    [Theory]
    [MemberData(nameof(ResultFindings))]
    public void Result_with_undecodable_string_is_rejected_with_a_cni_error(string file)
    {
        var input = FuzzCorpus.Read(file);

        var escaped = Record.Exception(() => CniResult.Parse(input));

        Assert.Equal(CniErrorCode.DecodingFailure, Assert.IsType<CniException>(escaped).Code);
    }

    [Fact]
    public void Dispatcher_answers_invalid_utf8_cniversion_with_an_error_object_on_stdout()
    {
        var environment = new Dictionary<string, string>
        {
            [CniEnvironment.CommandVariable] = CniCommand.Add,
            [CniEnvironment.ContainerIdVariable] = "fuzz0",
            [CniEnvironment.NetNsVariable] = "/var/run/netns/fuzz0",
            [CniEnvironment.IfNameVariable] = "eth0",
        };
        using var stdin = new MemoryStream(FuzzCorpus.Read("config/finding-invalid-utf8-cniversion.json"));
        using var stdout = new MemoryStream();
        var dispatcher = new CniDispatcher(
            name => environment.GetValueOrDefault(name),
            stdin,
            stdout,
            _ => NullLoggerProvider.Instance,
            (_, _) => throw new InvalidOperationException("a config that does not parse must never reach the plugin"));

        int? exitCode = null;
        var escaped = Record.Exception(() => exitCode = dispatcher.Run());

        Assert.Null(escaped);
        Assert.Equal(1, exitCode);
        using var reply = JsonDocument.Parse(stdout.ToArray());
        Assert.NotEqual(CniErrorCode.Internal, reply.RootElement.GetProperty("code").GetInt32());
    }
}
