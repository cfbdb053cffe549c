using System.Diagnostics;

namespace CniV6.Plugin;

/// <summary>
/// Test-only crash switch. When the environment variable <see cref="Variable"/> names one of the steps below,
/// the plugin kills itself with SIGKILL right after that step of ADD — the way a node crash or an OOM kill
/// would — so tests can prove DEL, a retried ADD and GC clean up after every possible half-done ADD.
/// Inert unless the variable is set.
/// </summary>
internal static class FaultPoint
{
    public const string Variable = "CNIV6_TEST_KILL_AFTER";

    /// <summary>Every step of ADD, in order. A test iterates over this list; a new step must be added here.</summary>
    public static readonly IReadOnlyList<string> AddSteps =
    [
        IpamReserved, VethCreated, PodAddressesAssigned, PodRoutesAdded, HostSideConfigured, MasqueradeEnsured,
    ];

    public const string IpamReserved = "ipam-reserved";
    public const string VethCreated = "veth-created";
    public const string PodAddressesAssigned = "pod-addresses";
    public const string PodRoutesAdded = "pod-routes";
    public const string HostSideConfigured = "host-side";
    public const string MasqueradeEnsured = "masquerade";

    private static readonly string? Armed = Environment.GetEnvironmentVariable(Variable);

    public static void Reached(string step)
    {
        if (Armed is null)
        {
            return;
        }

        if (!AddSteps.Contains(step))
        {
            // A step the crash tests do not know about would go untested: refuse to run under test.
            Environment.FailFast($"fault point '{step}' is missing from FaultPoint.AddSteps");
        }

        if (Armed == step)
        {
            Process.GetCurrentProcess().Kill();
        }
    }
}
