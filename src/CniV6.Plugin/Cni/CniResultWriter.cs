using System.Text.Json;
using CniV6.Netlink;
using CniV6.Core.Config;

namespace CniV6.Plugin.Cni;

/// <summary>
/// Writes a <see cref="CniResult"/> the way libcni's Go types marshal it (same key order, empty lists left out)
/// for each supported version: before 1.0.0 every ip carries <c>"version"</c>; 1.1.0 adds interface
/// mtu/socketPath/pciID and route mtu/advmss/priority/table/scope, which older versions leave out.
/// </summary>
internal static class CniResultWriter
{
    public static byte[] ToJson(CniResult result, string cniVersion) => CniJson.Write(w => Write(w, result, cniVersion));

    public static void Write(Utf8JsonWriter writer, CniResult result, string cniVersion)
    {
        if (!CniVersion.IsSupported(cniVersion))
        {
            throw new ArgumentException($"unsupported CNI version \"{cniVersion}\"", nameof(cniVersion));
        }

        var withIpVersion = CniVersion.HasIpVersionField(cniVersion);
        var with11Fields = CniVersion.HasVersion11Fields(cniVersion);
        writer.WriteStartObject();
        writer.WriteString("cniVersion", cniVersion);
        if (result.Interfaces.Count > 0)
        {
            writer.WriteStartArray("interfaces");
            foreach (var item in result.Interfaces)
            {
                WriteInterface(writer, item, with11Fields);
            }

            writer.WriteEndArray();
        }

        if (result.Ips.Count > 0)
        {
            writer.WriteStartArray("ips");
            foreach (var ip in result.Ips)
            {
                WriteIp(writer, ip, withIpVersion);
            }

            writer.WriteEndArray();
        }

        if (result.Routes.Count > 0)
        {
            writer.WriteStartArray("routes");
            foreach (var route in result.Routes)
            {
                WriteRoute(writer, route, with11Fields);
            }

            writer.WriteEndArray();
        }

        if (result.Dns is { IsEmpty: false } dns)
        {
            WriteDns(writer, dns);
        }

        writer.WriteEndObject();
    }

    private static void WriteInterface(Utf8JsonWriter writer, CniInterface item, bool with11Fields)
    {
        writer.WriteStartObject();
        writer.WriteString("name", item.Name);
        WriteIfPresent(writer, "mac", item.Mac);
        if (with11Fields && item.Mtu is > 0)
        {
            writer.WriteNumber("mtu", item.Mtu.Value);
        }

        WriteIfPresent(writer, "sandbox", item.Sandbox);
        if (with11Fields)
        {
            WriteIfPresent(writer, "socketPath", item.SocketPath);
            WriteIfPresent(writer, "pciID", item.PciId);
        }

        writer.WriteEndObject();
    }

    private static void WriteIp(Utf8JsonWriter writer, CniIpConfig ip, bool withIpVersion)
    {
        writer.WriteStartObject();
        if (withIpVersion)
        {
            writer.WriteString("version", ip.IsIPv6 ? "6" : "4");
        }

        if (ip.Interface is { } index)
        {
            writer.WriteNumber("interface", index);
        }

        writer.WriteString("address", Cidr.Format(ip.Address, ip.PrefixLength));
        if (ip.Gateway is not null)
        {
            writer.WriteString("gateway", ip.Gateway.ToString());
        }

        writer.WriteEndObject();
    }

    private static void WriteRoute(Utf8JsonWriter writer, CniRoute route, bool with11Fields)
    {
        writer.WriteStartObject();
        writer.WriteString("dst", route.Destination.ToString());
        if (route.Gateway is not null)
        {
            writer.WriteString("gw", route.Gateway.ToString());
        }

        if (with11Fields)
        {
            // Go marshals mtu/advmss/priority with omitempty (0 = unset) but table/scope as pointers (0 is real).
            WritePositive(writer, "mtu", route.Mtu);
            WritePositive(writer, "advmss", route.AdvMss);
            WritePositive(writer, "priority", route.Priority);
            if (route.Table is { } table)
            {
                writer.WriteNumber("table", table);
            }

            if (route.Scope is { } scope)
            {
                writer.WriteNumber("scope", scope);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteDns(Utf8JsonWriter writer, CniDns dns)
    {
        writer.WriteStartObject("dns");
        WriteList(writer, "nameservers", dns.Nameservers);
        WriteIfPresent(writer, "domain", dns.Domain);
        WriteList(writer, "search", dns.Search);
        WriteList(writer, "options", dns.Options);
        writer.WriteEndObject();
    }

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteString(name, value);
        }
    }

    private static void WritePositive(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is > 0)
        {
            writer.WriteNumber(name, value.Value);
        }
    }

    private static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
