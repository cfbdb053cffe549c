namespace CniV6.Core.Ipam;

/// <summary>
/// The one rule for container ids and network names, applied to input (CNI_CONTAINERID, the configuration's name)
/// and to what the IPAM store reads from disk. Interface names follow <see cref="CniV6.Linux.InterfaceName"/>.
/// </summary>
public static class AttachmentIds
{
    /// <summary>Network names as CNI allows them; the same character rule as container ids.</summary>
    public static bool IsValidNetworkName(string? value) => IsValidContainerId(value);

    /// <summary>
    /// Container ids as libcni allows them, with the semantics of its Go regex <c>^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$</c>:
    /// ASCII only, and nothing after the last allowed character (Go's <c>$</c>, unlike .NET's, does not match before a
    /// trailing newline, so "abc\n" is invalid).
    /// </summary>
    public static bool IsValidContainerId(string? value)
    {
        if (string.IsNullOrEmpty(value) || !char.IsAsciiLetterOrDigit(value[0]))
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '.' && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
