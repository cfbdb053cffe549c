namespace CniV6.Core.Ipam;

/// <summary>Rules for the identifiers an allocation is keyed by; applied to input and to what is read from disk.</summary>
internal static class AttachmentIds
{
    // Linux IFNAMSIZ is 16 including the terminating NUL.
    private const int MaxInterfaceNameLength = 15;

    /// <summary>Network names as CNI allows them; the same character rule as container ids.</summary>
    public static bool IsValidNetworkName(string? value) => IsValidContainerId(value);

    /// <summary>Container ids as CNI allows them: <c>[A-Za-z0-9][A-Za-z0-9_.-]*</c>.</summary>
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

    /// <summary>What the kernel accepts as an interface name (dev_valid_name), restricted to printable ASCII.</summary>
    public static bool IsValidInterfaceName(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxInterfaceNameLength || value is "." or "..")
        {
            return false;
        }

        foreach (char c in value)
        {
            if (c is <= ' ' or > '~' or '/' or ':')
            {
                return false;
            }
        }

        return true;
    }
}
