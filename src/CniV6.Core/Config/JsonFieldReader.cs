using System.Text.Json;

namespace CniV6.Core.Config;

/// <summary>
/// Reads typed fields out of a <see cref="JsonElement"/> by hand so that every failure names the exact field
/// (<c>field 'ipam.pools[1]'</c>). JSON <c>null</c> counts as absent, like Go's decoder treats it.
/// </summary>
/// <param name="errorCode">Code of the thrown <see cref="ConfigException"/> (7 for configs, 6 for results).</param>
/// <param name="subject">Prefix of every message, e.g. "invalid config".</param>
public readonly struct JsonFieldReader(int errorCode, string subject)
{
    public static string Child(string parentPath, string name) => parentPath.Length == 0 ? name : $"{parentPath}.{name}";

    public static string Item(string arrayPath, int index) => $"{arrayPath}[{index}]";

    public ConfigException Error(string path, string problem, string details = "") =>
        new(errorCode, $"{subject}: field '{path}': {problem}", details);

    public bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    public string? GetOptionalString(JsonElement obj, string name, string parentPath)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? ReadText(value, Child(parentPath, name))
            : throw Error(Child(parentPath, name), $"expected a string, got {Describe(value)}");
    }

    /// <summary>A string that must be present and not empty.</summary>
    public string GetRequiredString(JsonElement obj, string name, string parentPath)
    {
        var value = GetOptionalString(obj, name, parentPath);
        if (value is null)
        {
            throw Error(Child(parentPath, name), "required");
        }

        return value.Length > 0 ? value : throw Error(Child(parentPath, name), "must not be empty");
    }

    public bool? GetOptionalBoolean(JsonElement obj, string name, string parentPath)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(Child(parentPath, name), $"expected true or false, got {Describe(value)}"),
        };
    }

    public int? GetOptionalInt32(JsonElement obj, string name, string parentPath, int minimum, int maximum)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }

        var path = Child(parentPath, name);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            throw Error(path, $"expected an integer, got {Describe(value)}");
        }

        return number >= minimum && number <= maximum
            ? (int)number
            : throw Error(path, $"{number} is out of range {minimum}..{maximum}");
    }

    /// <summary>An object or an array (by <paramref name="kind"/>), or null when absent.</summary>
    public JsonElement? GetOptional(JsonElement obj, string name, string parentPath, JsonValueKind kind)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }

        return value.ValueKind == kind
            ? value
            : throw Error(Child(parentPath, name), $"expected {Describe(kind)}, got {Describe(value)}");
    }

    /// <summary>A list of strings; null when absent.</summary>
    public List<(string Value, string Path)>? GetOptionalStringList(JsonElement obj, string name, string parentPath)
    {
        if (GetOptional(obj, name, parentPath, JsonValueKind.Array) is not { } array)
        {
            return null;
        }

        var path = Child(parentPath, name);
        var items = new List<(string, string)>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemPath = Item(path, index++);
            items.Add(item.ValueKind == JsonValueKind.String
                ? (ReadText(item, itemPath), itemPath)
                : throw Error(itemPath, $"expected a string, got {Describe(item)}"));
        }

        return items;
    }

    /// <summary>
    /// A JSON string's text. The parser lets through strings that are not text (invalid UTF-8 bytes, an escaped
    /// lone surrogate) and only GetString refuses them; that refusal becomes an error naming the field.
    /// </summary>
    private string ReadText(JsonElement value, string path)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Error(path, "not valid UTF-8 text");
        }
    }

    public static string Describe(JsonElement value) => Describe(value.ValueKind);

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
