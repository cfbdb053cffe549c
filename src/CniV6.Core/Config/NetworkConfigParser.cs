using System.Net;
using System.Text.Json;
using CniV6.Core.Ipam;
using Microsoft.Extensions.Logging;

namespace CniV6.Core.Config;

/// <summary>
/// Turns stdin into a <see cref="NetworkConfig"/>, in the order libcni's skel checks things: JSON syntax (code 6),
/// cniVersion and what the command needs of it (code 1), then every field (code 7 naming the field).
/// Unknown fields are ignored, as the specification asks.
/// </summary>
public static partial class NetworkConfigParser
{
    /// <summary>Deep enough for any real configuration (prevResult is the deepest part), shallow enough to stop nesting bombs cheaply.</summary>
    public const int MaxDepth = 32;

    private static readonly JsonFieldReader Reader = new(ConfigErrorCode.InvalidNetworkConfig, "invalid config");

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = MaxDepth,
        AllowDuplicateProperties = false,
    };

    /// <summary>Parses and validates the configuration of <paramref name="command"/> (one of <see cref="CniCommand"/>).</summary>
    /// <exception cref="ConfigException">Code 6, 1 or 7 as described on the class.</exception>
    public static NetworkConfig Parse(ReadOnlyMemory<byte> stdin, string command)
    {
        using var document = ParseDocument(stdin);
        var root = document.RootElement;
        var cniVersion = ReadVersion(root);
        RequireVersionFor(command, cniVersion);

        var name = Reader.GetRequiredString(root, "name", "");
        if (name.Length > AttachmentIds.MaxNetworkNameLength)
        {
            throw Reader.Error("name", $"may be at most {AttachmentIds.MaxNetworkNameLength} characters long", name);
        }

        if (!AttachmentIds.IsValidNetworkName(name))
        {
            throw Reader.Error("name", "may only contain letters, digits, '_', '.' and '-' and must start with a letter or digit", name);
        }

        var type = Reader.GetRequiredString(root, "type", "");
        var ipam = IpamConfigParser.Parse(root, Reader);
        var mtu = Reader.GetOptionalInt32(root, "mtu", "", 68, 65535);
        if (mtu < 1280 && ipam.Pools.Any(p => p.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6))
        {
            throw Reader.Error("mtu", $"{mtu} is below 1280, the minimum MTU of IPv6, and an IPv6 pool is configured");
        }

        return new NetworkConfig
        {
            Name = name,
            CniVersion = cniVersion,
            Type = type,
            Mtu = mtu,
            IpMasq = Reader.GetOptionalBoolean(root, "ipMasq", "") ?? true,
            MasqueradeExclude = ParseNetworks(root, "masqueradeExclude"),
            NatBackend = ParseNatBackend(root),
            LogFile = ParseAbsolutePath(root, "logFile", "") ?? NetworkConfig.DefaultLogFile,
            LogLevel = ParseLogLevel(root),
            LogFileMaxBytes = Reader.GetOptionalInt32(root, "logFileMaxBytes", "", 0, int.MaxValue) ?? NetworkConfig.DefaultLogFileMaxBytes,
            LogFileMaxFiles = Reader.GetOptionalInt32(root, "logFileMaxFiles", "", 1, NetworkConfig.MaxLogFileMaxFiles) ?? NetworkConfig.DefaultLogFileMaxFiles,
            DisableGc = Reader.GetOptionalBoolean(root, "disableGC", "") ?? false,
            Ipam = ipam,
            PrevResult = Reader.GetOptional(root, "prevResult", "", JsonValueKind.Object)?.Clone(),
            RuntimeConfig = Reader.GetOptional(root, "runtimeConfig", "", JsonValueKind.Object)?.Clone(),
            ValidAttachments = ParseValidAttachments(root),
        };
    }

    private static Nat.NatBackendPreference ParseNatBackend(JsonElement root)
    {
        var text = Reader.GetOptionalString(root, "natBackend", "");
        return Nat.NatBackendPreferences.TryParse(text, out var preference)
            ? preference
            : throw Reader.Error("natBackend", $"must be one of {Nat.NatBackendPreferences.Allowed}", text ?? "");
    }

    /// <summary>The cniVersion of a VERSION request's stdin when it has a well-formed one; never throws.</summary>
    public static string? TryReadVersion(ReadOnlyMemory<byte> stdin)
    {
        try
        {
            using var document = JsonDocument.Parse(stdin, DocumentOptions);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("cniVersion", out var version)
                && version.ValueKind == JsonValueKind.String
                && CniVersion.IsWellFormed(version.GetString()!)
                    ? version.GetString()
                    : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8 text.
            return null;
        }
    }

    /// <summary>Absolute path without NUL; the same rule serves logFile and ipam.dataDir.</summary>
    public static string? ParseAbsolutePath(JsonElement obj, string name, string parentPath)
    {
        var path = Reader.GetOptionalString(obj, name, parentPath);
        if (path is null)
        {
            return null;
        }

        return path.Length > 1 && path[0] == '/' && !path.Contains('\0', StringComparison.Ordinal) && path.Length <= 4096
            ? path
            : throw Reader.Error(JsonFieldReader.Child(parentPath, name), "must be an absolute path", path);
    }

    private static JsonDocument ParseDocument(ReadOnlyMemory<byte> stdin)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stdin, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new ConfigException(ConfigErrorCode.DecodingFailure, $"error decoding network config: {Describe(e)}");
        }
        catch (InvalidOperationException e)
        {
            // The duplicate-key check decodes property names and refuses one that is not valid text.
            throw new ConfigException(ConfigErrorCode.DecodingFailure, $"error decoding network config: a property name is not valid text ({e.Message})");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = JsonFieldReader.Describe(document.RootElement);
            document.Dispose();
            throw new ConfigException(ConfigErrorCode.DecodingFailure, $"error decoding network config: expected a JSON object, got {kind}");
        }

        return document;
    }

    private static string ReadVersion(JsonElement root)
    {
        // Go's skel reads a missing cniVersion as "0.1.0", which we do not speak.
        var version = Reader.GetOptionalString(root, "cniVersion", "") ?? "0.1.0";
        return CniVersion.IsSupported(version)
            ? version
            : throw new ConfigException(
                ConfigErrorCode.IncompatibleVersion,
                "incompatible CNI versions",
                $"config field 'cniVersion' is \"{Truncate(version)}\", plugin supports [{string.Join(", ", CniVersion.Supported)}]");
    }

    private static void RequireVersionFor(string command, string cniVersion)
    {
        var minimum = command switch
        {
            CniCommand.Check => "0.4.0",
            CniCommand.Gc or CniCommand.Status => "1.1.0",
            _ => null,
        };
        if (minimum is not null && !CniVersion.IsAtLeast(cniVersion, minimum))
        {
            throw new ConfigException(
                ConfigErrorCode.IncompatibleVersion,
                $"config version does not allow {command}",
                $"config field 'cniVersion' is \"{cniVersion}\", {command} needs {minimum} or later");
        }
    }

    private static IReadOnlyList<IPNetwork> ParseNetworks(JsonElement obj, string name)
    {
        var items = Reader.GetOptionalStringList(obj, name, "");
        if (items is null)
        {
            return [];
        }

        var networks = new List<IPNetwork>(items.Count);
        foreach (var (text, path) in items)
        {
            networks.Add(IpamConfigParser.ParseCanonicalNetwork(text, path, Reader));
        }

        return networks;
    }

    private static LogLevel ParseLogLevel(JsonElement root)
    {
        var text = Reader.GetOptionalString(root, "logLevel", "");
        return text?.ToLowerInvariant() switch
        {
            null => LogLevel.Information,
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" or "information" => LogLevel.Information,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            "none" => LogLevel.None,
            _ => throw Reader.Error("logLevel", "expected one of trace, debug, info, warning, error, critical, none", Truncate(text)),
        };
    }

    private static IReadOnlyList<CniAttachment> ParseValidAttachments(JsonElement root)
    {
        // libcni also sends the list as "cni.dev/attachments", the name an early spec draft used (cni#1101).
        var name = Reader.TryGet(root, "cni.dev/valid-attachments", out _) ? "cni.dev/valid-attachments" : "cni.dev/attachments";
        if (Reader.GetOptional(root, name, "", JsonValueKind.Array) is not { } array)
        {
            return [];
        }

        var attachments = new List<CniAttachment>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = JsonFieldReader.Item(name, index++);
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw Reader.Error(path, $"expected an object, got {JsonFieldReader.Describe(item)}");
            }

            attachments.Add(new CniAttachment(
                Reader.GetRequiredString(item, "containerID", path),
                Reader.GetRequiredString(item, "ifname", path)));
        }

        return attachments;
    }

    /// <summary>
    /// The AOT build keeps only resource keys ("ArrayDepthTooLarge, 32 LineNumber: …"), so the problems hostile input
    /// provokes on purpose are spelled out here; anything else keeps the key, which still names the problem.
    /// </summary>
    private static string Describe(JsonException e)
    {
        var position = e.BytePositionInLine is { } column ? $" (line {e.LineNumber + 1}, byte {column})" : "";
        var message = e.Message;
        if (message.Contains("DepthTooLarge", StringComparison.Ordinal) || message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            return $"JSON nesting depth exceeds the maximum of {MaxDepth}{position}";
        }

        if (message.StartsWith("DuplicateProperties", StringComparison.Ordinal)
            || message.Contains("Duplicate property", StringComparison.OrdinalIgnoreCase))
        {
            // With resource keys: "DuplicatePropertiesNotAllowed_NameSpan, name" (the property after the comma); without:
            // "Duplicate property 'name' encountered during deserialization." (the property between the quotes).
            var comma = message.IndexOf(", ", StringComparison.Ordinal);
            var open = message.IndexOf('\'');
            var close = open >= 0 ? message.IndexOf('\'', open + 1) : -1;
            var property = message.StartsWith("DuplicateProperties", StringComparison.Ordinal) && comma > 0 ? message[(comma + 2)..]
                : close > open ? message[(open + 1)..close] : null;
            var name = property is null ? "" : $" \"{Truncate(property)}\"";
            return $"duplicate property{name} in a JSON object{position}";
        }

        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return $"invalid JSON: {(cut > 0 ? message[..cut] : message)}{position}";
    }

    public static string Truncate(string value) => value.Length <= 128 ? value : $"{value[..128]}…";
}
