namespace CniV6.Core.Pod;

/// <summary>
/// The alias (IFLA_IFALIAS, `ip link show` prints it) written on every host veth: it names the network and the
/// attachment the veth belongs to, so GC can reclaim leaked veths of one network without touching another
/// network's, and an operator can see at a glance which pod a `cv6…` interface serves.
/// </summary>
public static class LinkAlias
{
    private const string Tag = "cniv6";

    public static string For(string network, string containerId, string ifName) =>
        $"{Tag} {network} {containerId} {ifName}";

    /// <summary>Parses an alias written by <see cref="For"/>; false for anything else.</summary>
    public static bool TryParse(string? alias, out string network, out string containerId, out string ifName)
    {
        network = containerId = ifName = "";
        if (alias is null)
        {
            return false;
        }

        var parts = alias.Split(' ');
        if (parts.Length != 4 || parts[0] != Tag)
        {
            return false;
        }

        (network, containerId, ifName) = (parts[1], parts[2], parts[3]);
        return true;
    }
}
