using System.Text;
using CniV6.Linux;

namespace CniV6.Agent.Dataplane.Routing;

/// <summary>
/// Which routing mode last installed state in this network namespace, so a mode change removes exactly what the
/// old mode installed — and a restart in the same mode removes nothing. Kept under /run: routes and devices do not
/// survive a reboot, and neither does the record. Keyed by the netns cookie (never reused, unlike the inode) so
/// agents of several node namespaces on one host keep apart.
/// </summary>
internal sealed class RoutingModeRecord(string path)
{
    private const UnixFileMode RecordMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public string Path { get; } = path;

    /// <summary>The record of the namespace the agent runs in, under <paramref name="runDirectory"/>.</summary>
    public static RoutingModeRecord ForCurrentNamespace(string runDirectory) =>
        new(Core.NodeState.NodeStateFiles.ForCurrentNamespace(runDirectory).RoutingModePath);

    /// <summary>The recorded mode, or null when none was recorded (first start since boot, or an older agent).</summary>
    public string? Read()
    {
        try
        {
            var text = File.ReadAllText(Path, Encoding.UTF8).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public void Write(string mode)
    {
        // Owner-only: whoever can write the record can make the agent remove its routes once.
        AtomicFile.WriteIfChanged(Path, Encoding.UTF8.GetBytes(mode + "\n"), RecordMode, DirectoryMode);
    }
}
