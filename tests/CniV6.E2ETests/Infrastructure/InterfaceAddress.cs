using System.Net;
using System.Text.Json;

namespace CniV6.E2ETests.Infrastructure;

/// <summary>One address on an interface as <c>ip -j addr</c> reports it.</summary>
internal sealed record InterfaceAddress(IPAddress Address, int PrefixLength, string Scope)
{
    public override string ToString() => $"{Address}/{PrefixLength} scope {Scope}";

    /// <summary>Parses the addr_info entries of <c>ip -j addr show</c> for the link named <paramref name="ifName"/>.</summary>
    public static IReadOnlyList<InterfaceAddress> ParseIpJson(string json, string ifName)
    {
        var addresses = new List<InterfaceAddress>();
        using JsonDocument doc = JsonDocument.Parse(json);
        foreach (JsonElement link in doc.RootElement.EnumerateArray())
        {
            if (link.GetProperty("ifname").GetString() != ifName || !link.TryGetProperty("addr_info", out JsonElement infos))
            {
                continue;
            }

            foreach (JsonElement info in infos.EnumerateArray())
            {
                if (info.TryGetProperty("local", out JsonElement local))
                {
                    addresses.Add(new InterfaceAddress(
                        IPAddress.Parse(local.GetString()!),
                        info.GetProperty("prefixlen").GetInt32(),
                        info.TryGetProperty("scope", out JsonElement scope) ? scope.GetString() ?? "" : ""));
                }
            }
        }

        return addresses;
    }
}
