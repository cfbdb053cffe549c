namespace CniV6.E2ETests.Infrastructure;

/// <summary>
/// The end-to-end tests create network namespaces, veths and nat rules, which needs root.
/// Without it they fail loudly instead of being skipped, so a green run always means they ran.
/// </summary>
internal static class RootRequirement
{
    public static void Ensure()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException(
                "CniV6.E2ETests must run as root (they create network namespaces, veths and iptables rules). " +
                "Run `sudo ./test.sh` or `sudo dotnet test tests/CniV6.E2ETests`.");
        }
    }
}
