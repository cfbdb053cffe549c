using System.Text.Json.Nodes;

namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>Which libcni reads the conflist: they differ in how they choose the version a list runs at.</summary>
public enum LibcniGeneration
{
    /// <summary>libcni up to 1.1.x (Debian's 1.1.2, the e2e driver): only <c>"cniVersion"</c>, spec up to 1.0.0.</summary>
    Before12,

    /// <summary>
    /// libcni 1.2 and later (conf.go): the highest of <c>"cniVersion"</c> and <c>"cniVersions"</c> that is not above
    /// the spec version it implements (1.1.0), as SPEC.md "Version considerations" asks.
    /// </summary>
    From12,
}

/// <summary>
/// What a runtime hands a plugin of a conflist on stdin: the plugin's object with the list's <c>name</c> and chosen
/// <c>cniVersion</c> injected (libcni's buildOneConfig), so tests can feed the agent's output to the plugin's parser or
/// binary exactly as a runtime would.
/// </summary>
internal static class LibcniConflist
{
    public static string ChosenVersion(JsonObject list, LibcniGeneration generation)
    {
        var declared = list["cniVersion"]?.GetValue<string>() ?? "0.1.0";
        if (generation == LibcniGeneration.Before12 || list["cniVersions"] is not JsonArray versions)
        {
            return declared;
        }

        var implemented = Version.Parse("1.1.0");
        return versions.Select(v => v!.GetValue<string>()).Append(declared)
            .Where(v => Version.Parse(v) <= implemented)
            .MaxBy(Version.Parse)!;
    }

    /// <summary>The stdin of plugin <paramref name="index"/> for one command; <paramref name="extra"/> adds fields such as GC's attachments.</summary>
    public static JsonObject PluginStdin(byte[] conflist, LibcniGeneration generation, int index = 0, IReadOnlyDictionary<string, JsonNode?>? extra = null)
    {
        var list = JsonNode.Parse(conflist)!.AsObject();
        var plugin = list["plugins"]![index]!.DeepClone().AsObject();
        plugin["name"] = list["name"]!.GetValue<string>();
        plugin["cniVersion"] = ChosenVersion(list, generation);
        foreach (var (key, value) in extra ?? new Dictionary<string, JsonNode?>())
        {
            plugin[key] = value?.DeepClone();
        }

        return plugin;
    }
}
