using System.Net;
using System.Text.Json;
using CniV6.Core.Config;
using CniV6.Netlink;

namespace CniV6.Plugin.Cni;

/// <summary>
/// Reads a result of any supported version (0.3.0 – 1.1.0): the per-ip <c>"version"</c> of older results is
/// ignored because the address says its family; unknown fields are ignored. Failures are code 6 naming the field.
/// </summary>
internal static class CniResultParser
{
    private static readonly JsonFieldReader Reader = new(CniErrorCode.DecodingFailure, "invalid result");

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = NetworkConfigParser.MaxDepth,
        AllowDuplicateProperties = false,
    };

    public static CniResult Parse(ReadOnlyMemory<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a property name that is not valid text (the duplicate-key check decodes names).
            throw new CniException(CniErrorCode.DecodingFailure, $"invalid result: {e.Message}");
        }

        using (document)
        {
            return Parse(document.RootElement, "");
        }
    }

    /// <summary>Failures are <see cref="CniException"/>s: the shared field reader's <see cref="ConfigException"/> is mapped here, once.</summary>
    public static CniResult Parse(JsonElement result, string path)
    {
        try
        {
            return ParseObject(result, path);
        }
        catch (ConfigException e)
        {
            throw CniException.From(e);
        }
    }

    private static CniResult ParseObject(JsonElement result, string path)
    {
        if (result.ValueKind != JsonValueKind.Object)
        {
            throw Reader.Error(path.Length == 0 ? "(root)" : path, $"expected an object, got {JsonFieldReader.Describe(result)}");
        }

        return new CniResult(
            Reader.GetOptionalString(result, "cniVersion", path),
            ParseArray(result, "interfaces", path, ParseInterface),
            ParseArray(result, "ips", path, ParseIp),
            ParseArray(result, "routes", path, ParseRoute),
            Reader.GetOptional(result, "dns", path, JsonValueKind.Object) is { } dns
                ? ParseDns(dns, JsonFieldReader.Child(path, "dns"))
                : null);
    }

    private static List<T> ParseArray<T>(JsonElement obj, string name, string parentPath, Func<JsonElement, string, T> parseItem)
    {
        if (Reader.GetOptional(obj, name, parentPath, JsonValueKind.Array) is not { } array)
        {
            return [];
        }

        var arrayPath = JsonFieldReader.Child(parentPath, name);
        var items = new List<T>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemPath = JsonFieldReader.Item(arrayPath, index++);
            items.Add(item.ValueKind == JsonValueKind.Object
                ? parseItem(item, itemPath)
                : throw Reader.Error(itemPath, $"expected an object, got {JsonFieldReader.Describe(item)}"));
        }

        return items;
    }

    private static CniInterface ParseInterface(JsonElement item, string path) => new(
        Reader.GetOptionalString(item, "name", path) ?? throw Reader.Error(JsonFieldReader.Child(path, "name"), "required"),
        Reader.GetOptionalString(item, "mac", path),
        Reader.GetOptionalString(item, "sandbox", path),
        Reader.GetOptionalInt32(item, "mtu", path, 0, int.MaxValue),
        Reader.GetOptionalString(item, "socketPath", path),
        Reader.GetOptionalString(item, "pciID", path));

    private static CniIpConfig ParseIp(JsonElement item, string path)
    {
        var addressText = Reader.GetOptionalString(item, "address", path)
            ?? throw Reader.Error(JsonFieldReader.Child(path, "address"), "required");
        if (!Cidr.TryParse(addressText, out var address, out var prefixLength))
        {
            throw Reader.Error(JsonFieldReader.Child(path, "address"), $"\"{NetworkConfigParser.Truncate(addressText)}\" is not an address in CIDR form");
        }

        var gateway = ParseOptionalAddress(item, "gateway", path);
        if (gateway is not null && gateway.AddressFamily != address.AddressFamily)
        {
            throw Reader.Error(JsonFieldReader.Child(path, "gateway"), $"{gateway} is not of the family of {addressText}");
        }

        return new CniIpConfig(address, prefixLength, gateway, Reader.GetOptionalInt32(item, "interface", path, 0, int.MaxValue));
    }

    private static CniRoute ParseRoute(JsonElement item, string path)
    {
        var dstText = Reader.GetOptionalString(item, "dst", path)
            ?? throw Reader.Error(JsonFieldReader.Child(path, "dst"), "required");
        if (!Cidr.TryParse(dstText, out var dst, out var prefixLength))
        {
            throw Reader.Error(JsonFieldReader.Child(path, "dst"), $"\"{NetworkConfigParser.Truncate(dstText)}\" is not a CIDR");
        }

        return new CniRoute(
            Cidr.NetworkOf(dst, prefixLength),
            ParseOptionalAddress(item, "gw", path),
            Reader.GetOptionalInt32(item, "mtu", path, 0, int.MaxValue),
            Reader.GetOptionalInt32(item, "advmss", path, 0, int.MaxValue),
            Reader.GetOptionalInt32(item, "priority", path, 0, int.MaxValue),
            Reader.GetOptionalInt32(item, "table", path, 0, int.MaxValue),
            Reader.GetOptionalInt32(item, "scope", path, 0, 255));
    }

    private static CniDns ParseDns(JsonElement dns, string path) => new(
        Strings(dns, "nameservers", path),
        Reader.GetOptionalString(dns, "domain", path),
        Strings(dns, "search", path),
        Strings(dns, "options", path));

    private static List<string> Strings(JsonElement obj, string name, string path) =>
        Reader.GetOptionalStringList(obj, name, path)?.ConvertAll(item => item.Value) ?? [];

    private static IPAddress? ParseOptionalAddress(JsonElement obj, string name, string parentPath)
    {
        var text = Reader.GetOptionalString(obj, name, parentPath);
        if (text is null)
        {
            return null;
        }

        return Cidr.TryParseAddress(text, out var address)
            ? address
            : throw Reader.Error(JsonFieldReader.Child(parentPath, name), $"\"{NetworkConfigParser.Truncate(text)}\" is not an IP address");
    }
}
