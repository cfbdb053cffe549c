using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CniV6.Linux;

namespace CniV6.Core.NodeState;

/// <summary>
/// The files cniv6-agent keeps about the node it runs on, under <c>&lt;run dir&gt;/agent</c>, each keyed by the
/// network namespace's cookie (never reused) so agents of several node namespaces on one host keep apart:
/// <c>routing-mode.&lt;cookie&gt;</c> (the installed routing mode), <c>node.&lt;cookie&gt;.json</c>
/// (<see cref="AgentNodeRecord"/>) and <c>overlay.&lt;cookie&gt;.json</c> (<see cref="OverlayRecord"/>). Under /run:
/// what they describe does not survive a reboot, and neither do they. The agent writes them atomically; doctor
/// reads them as untrusted input (size-capped, parsed strictly, any problem reported as unreadable).
/// </summary>
public sealed class NodeStateFiles(string runDirectory, ulong cookie)
{
    public const string DefaultRunDirectory = "/run/cniv6";

    /// <summary>Larger than any real record (a few hundred bytes per peer); refused before it is parsed.</summary>
    private const int MaxRecordBytes = 4 * 1024 * 1024;

    private const UnixFileMode RecordMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public string Directory { get; } = Path.Combine(runDirectory, "agent");

    public string RoutingModePath => Path.Combine(Directory, $"routing-mode.{cookie}");

    public string NodePath => Path.Combine(Directory, $"node.{cookie}.json");

    public string OverlayPath => Path.Combine(Directory, $"overlay.{cookie}.json");

    /// <summary>The files of the network namespace this thread is in.</summary>
    public static NodeStateFiles ForCurrentNamespace(string runDirectory) => new(runDirectory, NetNamespace.CurrentCookie() ?? 0);

    public void WriteNode(AgentNodeRecord record) => Write(NodePath, record, NodeStateJsonContext.Default.AgentNodeRecord);

    public void WriteOverlay(OverlayRecord record) => Write(OverlayPath, record, NodeStateJsonContext.Default.OverlayRecord);

    public void DeleteOverlay() => Delete(OverlayPath);

    public void DeleteNode() => Delete(NodePath);

    /// <summary>The node record; null when there is none (no agent in this namespace since boot).</summary>
    /// <exception cref="InvalidDataException">it exists but is not a readable record.</exception>
    public AgentNodeRecord? ReadNode() => Read(NodePath, NodeStateJsonContext.Default.AgentNodeRecord);

    /// <inheritdoc cref="ReadNode"/>
    public OverlayRecord? ReadOverlay() => Read(OverlayPath, NodeStateJsonContext.Default.OverlayRecord);

    /// <summary>The installed routing mode; null when none is recorded.</summary>
    /// <exception cref="InvalidDataException">it exists but cannot be read.</exception>
    public string? ReadRoutingMode()
    {
        var bytes = ReadBytes(RoutingModePath);
        var text = bytes is null ? null : Encoding.UTF8.GetString(bytes).Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    private static void Write<T>(string path, T record, JsonTypeInfo<T> type) =>
        AtomicFile.WriteIfChanged(path, JsonSerializer.SerializeToUtf8Bytes(record, type), RecordMode, DirectoryMode);

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static T? Read<T>(string path, JsonTypeInfo<T> type)
        where T : class
    {
        var bytes = ReadBytes(path);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, type) ?? throw new InvalidDataException($"{path}: null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static byte[]? ReadBytes(string path)
    {
        if (!PosixFile.TryStat(path, followSymlinks: false, out var status))
        {
            return null;
        }

        if (status.Type != PosixFileType.RegularFile)
        {
            throw new InvalidDataException($"{path} is not a regular file");
        }

        if (status.Size > MaxRecordBytes)
        {
            throw new InvalidDataException($"{path} is {status.Size} bytes, more than a record can be");
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
