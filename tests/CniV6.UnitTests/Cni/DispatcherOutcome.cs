using System.Runtime.Versioning;
using System.Text.Json;

namespace CniV6.UnitTests.Cni;

/// <summary>Exit code and stdout of one dispatcher run.</summary>
[SupportedOSPlatform("linux")]
internal sealed record DispatcherOutcome(int ExitCode, string Stdout)
{
    /// <summary>Stdout parsed as the single JSON document it must be (throws if it is not exactly one).</summary>
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Stdout);
            return document.RootElement.Clone();
        }
    }

    public int ErrorCode => Json.GetProperty("code").GetInt32();

    public string ErrorText => $"{Json.GetProperty("msg").GetString()} {(Json.TryGetProperty("details", out var d) ? d.GetString() : "")}";
}
