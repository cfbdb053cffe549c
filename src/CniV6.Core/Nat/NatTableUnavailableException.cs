using System.Net.Sockets;

namespace CniV6.Core.Nat;

/// <summary>
/// The kernel has no nat table for the family (module not loaded, or IPv6 disabled), so masquerading cannot
/// work. Raised instead of succeeding silently: pods would otherwise lose outbound connectivity unnoticed.
/// </summary>
public sealed class NatTableUnavailableException : IptablesException
{
    public NatTableUnavailableException(AddressFamily family, string command, int exitCode, string standardError)
        : base(command, exitCode, standardError, ProblemText(family))
    {
        Family = family;
        KernelModule = ModuleOf(family);
    }

    public AddressFamily Family { get; }

    /// <summary>The module to load, e.g. <c>ip6table_nat</c> (it pulls in nf_nat).</summary>
    public string KernelModule { get; }

    private static string ModuleOf(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? "ip6table_nat" : "iptable_nat";

    private static string ProblemText(AddressFamily family) =>
        $"the {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} nat table is not available " +
        $"(load kernel modules {ModuleOf(family)} and nf_nat{(family == AddressFamily.InterNetworkV6 ? ", and check that IPv6 is not disabled" : "")})";

    /// <summary>Recognises the messages iptables-legacy and iptables-nft print when the table cannot exist.</summary>
    internal static bool Matches(string standardError) =>
        standardError.Contains("Table does not exist", StringComparison.OrdinalIgnoreCase)
        || standardError.Contains("do you need to insmod", StringComparison.OrdinalIgnoreCase)
        || standardError.Contains("Address family not supported", StringComparison.OrdinalIgnoreCase)
        || standardError.Contains("Protocol not supported", StringComparison.OrdinalIgnoreCase)
        || standardError.Contains("Couldn't load target `MASQUERADE'", StringComparison.OrdinalIgnoreCase);
}
