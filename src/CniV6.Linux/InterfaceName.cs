namespace CniV6.Linux;

/// <summary>
/// The one interface-name rule, used wherever a name comes in (CNI_IFNAME, the IPAM store's file, a netlink
/// request): the kernel's dev_valid_name (1–15 bytes so that it fits IFNAMSIZ with its NUL, not "." or "..", no
/// '/', ':' or whitespace), and printable ASCII only, so a name that passes here is never refused later by the
/// kernel, a sysctl path or a log line.
/// </summary>
public static class InterfaceName
{
    /// <summary>IFNAMSIZ - 1: the kernel keeps interface names in 16 bytes including the terminating NUL.</summary>
    public const int MaxBytes = 15;

    public static bool IsValid(string? name) => Problem(name) is null;

    /// <summary>Why <paramref name="name"/> is not a valid interface name, or null when it is.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "interface name is empty";
        }

        // Counted in UTF-8 bytes, as the kernel counts: "é" is two.
        if (name.Length > MaxBytes || System.Text.Encoding.UTF8.GetByteCount(name) > MaxBytes)
        {
            return $"interface name is longer than {MaxBytes} bytes";
        }

        if (name is "." or "..")
        {
            return "interface name is . or ..";
        }

        foreach (char c in name)
        {
            if (c is '/' or ':' || char.IsWhiteSpace(c))
            {
                return "interface name contains / or : or whitespace characters";
            }
        }

        foreach (char c in name)
        {
            if (c is < '!' or > '~')
            {
                return "interface name contains characters other than printable ASCII";
            }
        }

        return null;
    }
}
