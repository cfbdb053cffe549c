using System.Text;
using CniV6.Agent.Configuration;
using CniV6.Linux;

namespace CniV6.Agent.Dataplane;

/// <summary>
/// The reference plugins the agent itself copied into the CNI bin dir, so that <c>cniv6-agent uninstall</c> removes
/// those and never a copy the node had before. Kept beside the IPAM state (<c>&lt;IpamDataDir&gt;/.installed-plugins</c>):
/// it persists as long as the binaries it describes, and a name starting with a dot can never be a network's
/// directory (network names start with a letter or digit).
/// </summary>
internal sealed class InstalledPluginsRecord(string path)
{
    private const UnixFileMode RecordMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode ParentDirectoryMode = PrivateDirectoryMode |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public string Path { get; } = path;

    public static InstalledPluginsRecord For(AgentOptions options) => new(System.IO.Path.Combine(options.IpamDataDir, ".installed-plugins"));

    /// <summary>The recorded plugin names; only plain names (no path separators) are taken from the file.</summary>
    public IReadOnlyList<string> Read()
    {
        try
        {
            return [.. File.ReadAllLines(Path, Encoding.UTF8)
                           .Select(l => l.Trim())
                           .Where(l => l.Length > 0 && !l.Contains('/', StringComparison.Ordinal) && l is not "." and not "..")
                           .Distinct(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
    }

    public void Add(string name)
    {
        var names = Read();
        if (names.Contains(name, StringComparer.Ordinal))
        {
            return;
        }

        // The directories as the IPAM store makes them: parents 0755, the data dir itself root-only.
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        if (System.IO.Path.GetDirectoryName(directory) is { } parent)
        {
            PosixDirectory.EnsureTree(parent, ParentDirectoryMode);
        }

        PosixDirectory.Ensure(directory, PrivateDirectoryMode);
        AtomicFile.Replace(Path, Encoding.UTF8.GetBytes(string.Concat(names.Append(name).Select(n => n + "\n"))), RecordMode);
    }
}
