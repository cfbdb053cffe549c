namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>The published binaries the end-to-end tests drive (artifacts/bin, built by build.sh).</summary>
internal static class RequiredFiles
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string ArtifactsBin =>
        Environment.GetEnvironmentVariable("CNIV6_ARTIFACTS_BIN") is { Length: > 0 } overridden ? overridden : Path.Combine(Root.Value, "artifacts", "bin");

    public static string Agent => Require("cniv6-agent", "dotnet publish src/CniV6.Agent -c Release -r linux-x64 -o artifacts/bin");

    public static string Plugin => Require("cniv6", "dotnet publish src/CniV6.Plugin -c Release -r linux-x64 -o artifacts/bin");

    public static string Driver => Require("cnidriver", "tests/e2e/build-driver.sh");

    /// <summary>Debian's BIRD 2 (package bird2, in scripts/deps.sh): the bgp mode's daemon and the renderer tests' parser.</summary>
    public static string Bird => RequireInstalled("/usr/sbin/bird");

    public static string Birdc => RequireInstalled("/usr/sbin/birdc");

    public static void EnsureRoot()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("The multi-node agent tests must run as root (network namespaces, bridges, iptables): sudo ./test.sh");
        }
    }

    private static string RequireInstalled(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing; install bird2 (scripts/deps.sh lists it for the tests).", path);

    private static string Require(string name, string howToBuild)
    {
        var path = Path.Combine(ArtifactsBin, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing; build it with `{howToBuild}` (build.sh does all).", path);
    }

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
