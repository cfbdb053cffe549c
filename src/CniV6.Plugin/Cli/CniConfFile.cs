using System.Text.Json;
using CniV6.Core.Config;

namespace CniV6.Plugin.Cli;

/// <summary>
/// One file of a CNI configuration directory as a runtime reads it: a network configuration list (<c>.conflist</c>)
/// or a single configuration (<c>.conf</c>, <c>.json</c>). Knows the network's name and versions, the plugin types in
/// chain order, and — when one of them is <c>cniv6</c> — that plugin's configuration exactly as the plugin would parse
/// it from stdin (libcni injects the list's <c>name</c> and <c>cniVersion</c> into each plugin's object).
/// </summary>
internal sealed class CniConfFile
{
    /// <summary>The extensions libcni's ConfFiles reads, in its order of preference.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".conf", ".conflist", ".json"];

    private const long MaxSize = 1 << 20;

    private CniConfFile(string path)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>The network's <c>name</c>; null when the file could not be read that far.</summary>
    public string? Name { get; private init; }

    /// <summary><c>cniVersion</c> and <c>cniVersions</c> together (libcni ≥ 1.2 runs the list at the highest it supports).</summary>
    public IReadOnlyList<string> CniVersions { get; private init; } = [];

    /// <summary>The plugins' <c>type</c>s in chain order, plus a delegated <c>ipam.type</c> right after its plugin.</summary>
    public IReadOnlyList<string> PluginTypes { get; private init; } = [];

    /// <summary>True when a plugin of the chain is <c>cniv6</c>.</summary>
    public bool IsOurs { get; private init; }

    /// <summary>The cniv6 plugin's configuration; null when not ours or not valid (see <see cref="Problem"/>).</summary>
    public NetworkConfig? Config { get; private init; }

    /// <summary>Why the file is not a usable configuration; null when it is.</summary>
    public string? Problem { get; private init; }

    /// <summary>The configuration files of <paramref name="directory"/> in the order runtimes consider them (ordinal by name).</summary>
    public static IReadOnlyList<string> List(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(directory)
            .Where(f => Extensions.Contains(System.IO.Path.GetExtension(f)))
            .Order(StringComparer.Ordinal)];
    }

    public static CniConfFile Load(string path)
    {
        byte[] content;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxSize)
            {
                return new CniConfFile(path) { Problem = $"larger than {MaxSize} bytes" };
            }

            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CniConfFile(path) { Problem = $"cannot be read: {e.Message}" };
        }

        return Parse(path, content);
    }

    internal static CniConfFile Parse(string path, byte[] content)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = NetworkConfigParser.MaxDepth });
        }
        catch (JsonException e)
        {
            return new CniConfFile(path) { Problem = $"not valid JSON: {e.Message}" };
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new CniConfFile(path) { Problem = "not a JSON object" };
            }

            var name = StringOf(root, "name");
            var cniVersion = StringOf(root, "cniVersion");
            var versions = new List<string>();
            if (cniVersion is not null)
            {
                versions.Add(cniVersion);
            }

            if (root.TryGetProperty("cniVersions", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                versions.AddRange(list.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!));
            }

            var isList = root.TryGetProperty("plugins", out var plugins);
            if (isList && plugins.ValueKind != JsonValueKind.Array)
            {
                return new CniConfFile(path) { Name = name, CniVersions = versions, Problem = "'plugins' is not an array" };
            }

            JsonElement[] entries = isList ? [.. plugins.EnumerateArray()] : [root];
            var types = new List<string>();
            JsonElement? ours = null;
            foreach (var entry in entries)
            {
                if (entry.ValueKind != JsonValueKind.Object || StringOf(entry, "type") is not { Length: > 0 } type)
                {
                    return new CniConfFile(path) { Name = name, CniVersions = versions, PluginTypes = types, Problem = "a plugin has no 'type'" };
                }

                types.Add(type);
                if (entry.TryGetProperty("ipam", out var ipam) && ipam.ValueKind == JsonValueKind.Object
                    && StringOf(ipam, "type") is { Length: > 0 } ipamType && !(type == NetworkConfig.PluginType && ipamType == IpamConfig.BuiltInType))
                {
                    types.Add(ipamType);
                }

                if (type == NetworkConfig.PluginType && ours is null)
                {
                    ours = entry;
                }
            }

            var file = new CniConfFile(path) { Name = name, CniVersions = versions, PluginTypes = types, IsOurs = ours is not null };
            if (ours is null)
            {
                return file;
            }

            if (name is null || cniVersion is null)
            {
                return new CniConfFile(path)
                {
                    Name = name, CniVersions = versions, PluginTypes = types, IsOurs = true,
                    Problem = name is null ? "no 'name'" : "no 'cniVersion'",
                };
            }

            try
            {
                var config = NetworkConfigParser.Parse(PluginStdin(ours.Value, name, cniVersion), CniCommand.Add);
                return new CniConfFile(path) { Name = name, CniVersions = versions, PluginTypes = types, IsOurs = true, Config = config };
            }
            catch (ConfigException e)
            {
                return new CniConfFile(path) { Name = name, CniVersions = versions, PluginTypes = types, IsOurs = true, Problem = e.Message };
            }
        }
    }

    /// <summary>The plugin's object with the list's name and cniVersion, as libcni hands it to the plugin.</summary>
    private static byte[] PluginStdin(JsonElement plugin, string name, string cniVersion)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("cniVersion", cniVersion);
            writer.WriteString("name", name);
            foreach (var property in plugin.EnumerateObject())
            {
                if (property.Name is not ("cniVersion" or "name"))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string? StringOf(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
