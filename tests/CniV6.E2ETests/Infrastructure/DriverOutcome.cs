using System.Net;
using System.Text.Json;

namespace CniV6.E2ETests.Infrastructure;

/// <summary>
/// What one libcni operation through the driver returned: the result JSON on success, the CNI error
/// JSON on failure. Failure messages carry the plugin log so a red test explains itself.
/// </summary>
internal sealed class DriverOutcome(ProcessResult process, string pluginLog)
{
    public ProcessResult Process { get; } = process;

    public bool Succeeded => Process.Succeeded;

    /// <summary>The printed JSON (result, <c>{}</c>, or an error object).</summary>
    public JsonElement Json
    {
        get
        {
            using JsonDocument doc = JsonDocument.Parse(Process.StandardOutput);
            return doc.RootElement.Clone();
        }
    }

    /// <summary>Fails with the driver's output and the plugin log unless the operation succeeded.</summary>
    public DriverOutcome EnsureSucceeded()
    {
        Assert.True(Succeeded, Explain());
        return this;
    }

    /// <summary>The result's cniVersion.</summary>
    public string CniVersion => Json.GetProperty("cniVersion").GetString()!;

    /// <summary>The <c>ips[].address</c> entries of an ADD result.</summary>
    public IReadOnlyList<(IPAddress Address, int PrefixLength)> ResultAddresses() =>
        Json.GetProperty("ips").EnumerateArray()
            .Select(ip => ParsePrefix(ip.GetProperty("address").GetString()!))
            .ToList();

    /// <summary>The error code of a failed operation (0 when libcni itself failed).</summary>
    public int ErrorCode => Json.TryGetProperty("code", out JsonElement code) ? code.GetInt32() : 0;

    public string Explain() =>
        Process.Describe() + (pluginLog.Length > 0 ? "\n--- plugin log (tail) ---\n" + pluginLog : "");

    private static (IPAddress, int) ParsePrefix(string cidr)
    {
        int slash = cidr.IndexOf('/', StringComparison.Ordinal);
        return (IPAddress.Parse(cidr[..slash]), int.Parse(cidr[(slash + 1)..]));
    }
}
