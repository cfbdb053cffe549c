using System.Text.Json;
using CniV6.Core.Config;

namespace CniV6.Plugin.Cni;

/// <summary>
/// The success result of ADD (and of a delegated IPAM plugin). Written per version by <see cref="CniResultWriter"/>,
/// read from any supported version by <see cref="CniResultParser"/>.
/// </summary>
/// <param name="CniVersion">The version a parsed result declared; informational — output always uses the request's version.</param>
/// <param name="Dns">Null or empty: no <c>"dns"</c> key is written.</param>
internal sealed record CniResult(
    string? CniVersion,
    IReadOnlyList<CniInterface> Interfaces,
    IReadOnlyList<CniIpConfig> Ips,
    IReadOnlyList<CniRoute> Routes,
    CniDns? Dns = null)
{
    /// <summary>The JSON of this result in <paramref name="cniVersion"/>, UTF-8, no trailing newline.</summary>
    public byte[] ToJson(string cniVersion) => CniResultWriter.ToJson(this, cniVersion);

    public void WriteTo(Utf8JsonWriter writer, string cniVersion) => CniResultWriter.Write(writer, this, cniVersion);

    /// <summary>Reads a result document (e.g. a delegated plugin's stdout); throws <see cref="CniException"/> code 6.</summary>
    public static CniResult Parse(ReadOnlyMemory<byte> json) => CniResultParser.Parse(json);

    /// <summary>Reads a result object such as <see cref="NetworkConfig.PrevResult"/>; <paramref name="path"/> prefixes field names in errors.</summary>
    public static CniResult Parse(JsonElement result, string path = "prevResult") => CniResultParser.Parse(result, path);
}
