namespace CniV6.Core.Ipam;

/// <summary>
/// The one rule for container ids and network names, applied to input (CNI_CONTAINERID, the configuration's name)
/// and to what the IPAM store reads from disk. Interface names follow <see cref="CniV6.Linux.InterfaceName"/>.
/// </summary>
public static class AttachmentIds
{
    /// <summary>
    /// Longest network name. With <see cref="MaxContainerIdLength"/> and a 15-byte interface name the host veth's
    /// alias (<c>cniv6 &lt;network&gt; &lt;containerId&gt; &lt;ifName&gt;</c>, 251 bytes at most) fits the kernel's
    /// IFALIASZ (255 bytes), and the store directory's name fits NAME_MAX; longer names failed half-way with code 999.
    /// </summary>
    public const int MaxNetworkNameLength = 100;

    /// <summary>Longest container id (runtimes use 64 hex digits).</summary>
    public const int MaxContainerIdLength = 128;

    /// <summary>Network names as CNI allows them; the same character rule as container ids, at most <see cref="MaxNetworkNameLength"/>.</summary>
    public static bool IsValidNetworkName(string? value) => value?.Length <= MaxNetworkNameLength && HasValidCharacters(value);

    /// <summary>Container ids: the character rule below, at most <see cref="MaxContainerIdLength"/> characters.</summary>
    public static bool IsValidContainerId(string? value) => value?.Length <= MaxContainerIdLength && HasValidCharacters(value);

    /// <summary>
    /// Container ids as libcni allows them, with the semantics of its Go regex <c>^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$</c>:
    /// ASCII only, and nothing after the last allowed character (Go's <c>$</c>, unlike .NET's, does not match before a
    /// trailing newline, so "abc\n" is invalid).
    /// </summary>
    private static bool HasValidCharacters(string? value)
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
