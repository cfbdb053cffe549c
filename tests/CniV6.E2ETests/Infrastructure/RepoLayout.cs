namespace CniV6.E2ETests.Infrastructure;

/// <summary>Where the published binaries the tests drive live (artifacts/bin, built by build.sh / test.sh).</summary>
internal static class RepoLayout
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The repository root (the directory holding CniV6.sln).</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>artifacts/bin, or CNIV6_ARTIFACTS_BIN when set.</summary>
    public static string ArtifactsBin =>
        Environment.GetEnvironmentVariable("CNIV6_ARTIFACTS_BIN") is { Length: > 0 } overridden
            ? overridden
            : Path.Combine(RepositoryRoot, "artifacts", "bin");

    /// <summary>Debian's containernetworking-plugins (portmap, host-local, ptp).</summary>
    public const string ReferencePluginDir = "/usr/lib/cni";

    /// <summary>CNI_PATH for every test: our binaries first, then the reference plugins.</summary>
    public static string PluginPath => ArtifactsBin + ":" + ReferencePluginDir;

    /// <summary>The AOT-published plugin executable.</summary>
    public static string PluginBinary => RequireFile(Path.Combine(ArtifactsBin, "cniv6"), "./build.sh (or dotnet publish src/CniV6.Plugin)");

    /// <summary>The libcni driver built from tests/e2e/driver.</summary>
    public static string DriverBinary => RequireFile(Path.Combine(ArtifactsBin, "cnidriver"), "tests/e2e/build-driver.sh");

    private static string RequireFile(string path, string howToBuild) =>
        File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing; build it first with {howToBuild} (test.sh does both).", path);

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CniV6.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no CniV6.sln above {AppContext.BaseDirectory}");
    }
}
