using System.Net;
using System.Text.Json;
using CniV6.Netlink;
using Microsoft.Extensions.Logging;

namespace CniV6.Core.Config;

/// <summary>
/// Writes a <see cref="NetworkConfig"/> in the form <see cref="NetworkConfigParser"/> reads, so the agent renders
/// the conflist from the same types the plugin parses. Defaults are left out, so a rendered file shows only what
/// was chosen; parsing the output gives back the same configuration (unit-tested both ways).
/// </summary>
public static class NetworkConfigWriter
{
    /// <summary>
    /// Writes one entry of a conflist's <c>"plugins"</c> list: everything but <c>name</c> and <c>cniVersion</c>, which
    /// a list declares once and the runtime copies into each plugin's stdin.
    /// </summary>
    public static void WritePlugin(Utf8JsonWriter json, NetworkConfig config)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(config);
        json.WriteStartObject();
        json.WriteString("type", config.Type);
        if (config.Mtu is { } mtu)
        {
            json.WriteNumber("mtu", mtu);
        }

        json.WriteBoolean("ipMasq", config.IpMasq);
        WriteNetworks(json, "masqueradeExclude", config.MasqueradeExclude);
        if (config.NatBackend != Nat.NatBackendPreference.Auto)
        {
            json.WriteString("natBackend", Nat.NatBackendPreferences.Format(config.NatBackend));
        }

        if (config.LogFile != NetworkConfig.DefaultLogFile)
        {
            json.WriteString("logFile", config.LogFile);
        }

        if (config.LogLevel != LogLevel.Information)
        {
            json.WriteString("logLevel", LogLevelText(config.LogLevel));
        }

        if (config.LogFileMaxBytes != NetworkConfig.DefaultLogFileMaxBytes)
        {
            json.WriteNumber("logFileMaxBytes", config.LogFileMaxBytes);
        }

        if (config.LogFileMaxFiles != NetworkConfig.DefaultLogFileMaxFiles)
        {
            json.WriteNumber("logFileMaxFiles", config.LogFileMaxFiles);
        }

        if (config.DisableGc)
        {
            json.WriteBoolean("disableGC", true);
        }

        WriteIpam(json, config.Ipam);
        json.WriteEndObject();
    }

    private static void WriteIpam(Utf8JsonWriter json, IpamConfig ipam)
    {
        json.WritePropertyName("ipam");
        if (!ipam.IsBuiltIn && ipam.Raw is { } raw)
        {
            // A delegated plugin's section is its own schema; it goes out as it came in.
            raw.WriteTo(json);
            return;
        }

        json.WriteStartObject();
        json.WriteString("type", ipam.Type);
        WriteNetworks(json, "pools", ipam.Pools);
        json.WriteString("dataDir", ipam.DataDir);
        json.WriteEndObject();
    }

    private static void WriteNetworks(Utf8JsonWriter json, string name, IEnumerable<IPNetwork> networks)
    {
        json.WriteStartArray(name);
        foreach (var network in networks)
        {
            json.WriteStringValue(Cidr.Format(network));
        }

        json.WriteEndArray();
    }

    /// <summary>The names the parser reads for each level (it also accepts "information" and "warn").</summary>
    private static string LogLevelText(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        LogLevel.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "not a log level"),
    };
}
