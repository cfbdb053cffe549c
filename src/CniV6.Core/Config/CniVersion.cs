namespace CniV6.Core.Config;

/// <summary>The CNI specification versions this plugin speaks and what differs between them.</summary>
public static class CniVersion
{
    public const string Latest = "1.1.0";

    /// <summary>0.1.0/0.2.0 used a different result shape (ip4/ip6) that no current runtime needs.</summary>
    public static IReadOnlyList<string> Supported { get; } = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];

    public static bool IsSupported(string? version) => version is not null && Supported.Contains(version);

    /// <summary>Compares two supported (or at least dotted-numeric) versions; unparsable versions compare as lowest.</summary>
    public static bool IsAtLeast(string version, string minimum) => Rank(version) >= Rank(minimum);

    /// <summary>Results before 1.0.0 carry <c>"version":"4"|"6"</c> in every ip entry.</summary>
    public static bool HasIpVersionField(string version) => !IsAtLeast(version, "1.0.0");

    /// <summary>Interface mtu/socketPath/pciID and route mtu/advmss/priority/table/scope came with 1.1.0.</summary>
    public static bool HasVersion11Fields(string version) => IsAtLeast(version, "1.1.0");

    /// <summary>True for "major.minor.patch" made of digits — the shape echoed back by VERSION.</summary>
    public static bool IsWellFormed(string version) => TryParse(version, out _);

    private static long Rank(string version) => TryParse(version, out var rank) ? rank : -1;

    private static bool TryParse(string version, out long rank)
    {
        rank = 0;
        var parts = version.Split('.');
        if (parts.Length != 3)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 5 || !part.All(char.IsAsciiDigit))
            {
                return false;
            }

            rank = (rank * 100_000) + int.Parse(part);
        }

        return true;
    }
}
