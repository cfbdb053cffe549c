using CniV6.Agent.Configuration;
using CniV6.Linux;

namespace CniV6.Agent.Dataplane;

/// <summary>
/// The containernetworking reference plugins a node needs beside cniv6: <c>portmap</c>, which the conflist chains
/// (hostPort), and <c>loopback</c>, which container runtimes (containerd's CRI before 2.0, CRI-O) execute for every
/// pod's <c>lo</c>. The agent copies one into the CNI bin dir only when the bin dir has none, from the first of the
/// configured reference directories that has it (the image's /usr/lib/cniv6/plugins, Debian's /usr/lib/cni): a
/// node's own, possibly newer, copy is never replaced.
/// </summary>
internal static class ReferencePlugins
{
    public const string Portmap = "portmap";

    public const string Loopback = "loopback";

    private const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>The reference plugins this configuration needs: portmap only while it is chained.</summary>
    public static IReadOnlyList<string> Needed(AgentOptions options) => options.Portmap ? [Portmap, Loopback] : [Loopback];

    /// <summary>An executable regular file of that name in <paramref name="directory"/> (a symlink to one counts, as for exec).</summary>
    public static bool IsPresent(string directory, string name) =>
        PosixFile.TryStat(Path.Combine(directory, name), followSymlinks: true, out var status)
        && status.Type == PosixFileType.RegularFile
        && (status.Permissions & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    /// <summary>The first reference directory that has <paramref name="name"/>, or null.</summary>
    public static string? FindSource(AgentOptions options, string name) =>
        options.ReferencePluginDirs.Where(d => IsPresent(d, name)).Select(d => Path.Combine(d, name)).FirstOrDefault();

    /// <summary>Copies <paramref name="source"/> into the bin dir as <paramref name="name"/>: temp file, fsync, rename.</summary>
    public static void Install(string source, string binDir, string name)
    {
        byte[] content;
        using (SafeFd file = PosixFile.OpenRegularFile(source, PosixOpenFlags.ReadOnly | PosixOpenFlags.FollowSymlinks))
        {
            content = PosixFile.ReadToEnd(file, source);
        }

        PosixDirectory.EnsureTree(binDir, Executable);
        AtomicFile.Replace(Path.Combine(binDir, name), content, Executable);
    }
}
