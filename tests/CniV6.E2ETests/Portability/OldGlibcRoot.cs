using CniV6.E2ETests.Infrastructure;

namespace CniV6.E2ETests.Portability;

/// <summary>
/// A throwaway root filesystem holding only an old distribution's glibc (tests/e2e/portable/old-glibc-rootfs.sh)
/// plus one of our executables, inside a node's work dir: what a host with that glibc offers the binary.
/// Programs run in it through run-in-rootfs.sh, whose mounts (/proc, /sys, /dev, the pod netns) live in a
/// private mount namespace and vanish with the process, so deleting the directory never reaches the host's.
/// </summary>
internal sealed class OldGlibcRoot
{
    /// <summary>run-in-rootfs.sh mounts the pod's network namespace file here (inside the root).</summary>
    public const string PodNetNsPath = "/run/netns/pod";

    private static readonly string ScriptDir = Path.Combine(RepoLayout.RepositoryRoot, "tests", "e2e", "portable");

    private OldGlibcRoot(string path, string glibc)
    {
        RootPath = path;
        Glibc = glibc;
    }

    /// <summary>The root directory on the host.</summary>
    public string RootPath { get; }

    /// <summary>What the root's libc says it is ("GNU C Library (Ubuntu GLIBC 2.23-0ubuntu3) …").</summary>
    public string Glibc { get; }

    /// <summary>
    /// Makes the root for <paramref name="flavour"/> (debian-11, ubuntu-16.04) under <paramref name="workDir"/>,
    /// from a cache in artifacts/. Returns null with the reason when the distribution's archive cannot be reached.
    /// </summary>
    public static OldGlibcRoot? TryCreate(string flavour, string workDir, out string unavailableReason)
    {
        string cache = Path.Combine(RepoLayout.RepositoryRoot, "artifacts", "portable-rootfs", flavour);
        ProcessResult made = ProcessRunner.Run("bash", [Path.Combine(ScriptDir, "old-glibc-rootfs.sh"), flavour, cache], timeout: TimeSpan.FromMinutes(5));
        if (made.ExitCode == 75)
        {
            unavailableReason = made.Describe();
            return null;
        }

        if (!made.Succeeded)
        {
            throw new InvalidOperationException(made.Describe());
        }

        unavailableReason = "";
        string root = Path.Combine(workDir, "rootfs-" + flavour);
        ProcessRunner.RunChecked("cp", "-a", cache, root);
        foreach (string dir in new[] { "proc", "sys", "dev", "run/netns", "state" })
        {
            Directory.CreateDirectory(Path.Combine(root, dir));
        }

        return new OldGlibcRoot(root, File.ReadAllText(Path.Combine(root, ".cniv6-rootfs")).Trim());
    }

    /// <summary>Copies an executable into the root's top directory; returns its path inside the root.</summary>
    public string Install(string executable)
    {
        string name = Path.GetFileName(executable);
        // File.Copy keeps the executable mode on Unix.
        File.Copy(executable, Path.Combine(RootPath, name), overwrite: true);
        return "/" + name;
    }

    /// <summary>
    /// Runs <paramref name="program"/> chrooted into the root from the node's network namespace, with
    /// <paramref name="podNetNs"/> (a host path) reachable as <see cref="PodNetNsPath"/>.
    /// </summary>
    public ProcessResult Run(E2ENode node, string? podNetNs, IReadOnlyDictionary<string, string> environment, string? stdin, params string[] program) =>
        ProcessRunner.Run("ip",
            ["netns", "exec", node.Namespace.Name, Path.Combine(ScriptDir, "run-in-rootfs.sh"), RootPath, podNetNs ?? "", .. program],
            stdin, environment, TimeSpan.FromMinutes(1));

    /// <summary>Starts a long-running program the same way as <see cref="Run"/>; the caller stops it.</summary>
    public System.Diagnostics.Process Start(E2ENode node, IReadOnlyDictionary<string, string> environment, params string[] program) =>
        ProcessRunner.Start("ip",
            ["netns", "exec", node.Namespace.Name, Path.Combine(ScriptDir, "run-in-rootfs.sh"), RootPath, "", .. program],
            environment);

    /// <summary>A file the program wrote under /state inside the root (the plugin's log), or "" when absent.</summary>
    public string StateFileTail(string name, int lines = 40)
    {
        string path = Path.Combine(RootPath, "state", name);
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : "";
    }
}
