using CniV6.Linux;

namespace CniV6.Agent.Dataplane;

/// <summary>Puts the <c>cniv6</c> plugin binary into the host's CNI bin dir, atomically and only when it differs.</summary>
internal static class PluginInstaller
{
    public const string PluginFileName = "cniv6";

    private const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// True when the binary was (re)installed, false when the installed one is already identical. A missing bin dir
    /// is created 0755; the binary is replaced by rename (a running plugin keeps its old file) and made durable.
    /// </summary>
    public static bool Install(string sourcePath, string binDir)
    {
        byte[] content;
        using (SafeFd source = PosixFile.OpenRegularFile(sourcePath, PosixOpenFlags.ReadOnly | PosixOpenFlags.FollowSymlinks))
        {
            content = PosixFile.ReadToEnd(source, sourcePath);
        }

        return AtomicFile.WriteIfChanged(Path.Combine(binDir, PluginFileName), content, Executable, Executable);
    }
}
