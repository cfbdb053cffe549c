namespace CniV6.Core.Nat;

/// <summary>Which masquerade backend the operator asks for (conflist <c>natBackend</c>, agent <c>Nat:Backend</c>).</summary>
public enum NatBackendPreference
{
    /// <summary>nftables where the kernel has nf_tables and libnftables is installed, else iptables.</summary>
    Auto,

    /// <summary>Always our nftables table through libnftables; an error where it cannot work.</summary>
    Nftables,

    /// <summary>Always iptables (iptables-nft or iptables-legacy, whichever the node uses).</summary>
    Iptables,
}

/// <summary>The spelling of <see cref="NatBackendPreference"/> in configuration: <c>auto</c>, <c>nftables</c>, <c>iptables</c>.</summary>
public static class NatBackendPreferences
{
    /// <summary>The accepted spellings, for error messages.</summary>
    public const string Allowed = "auto, nftables, iptables";

    public static bool TryParse(string? text, out NatBackendPreference preference)
    {
        (bool ok, preference) = text switch
        {
            null or "auto" => (true, NatBackendPreference.Auto),
            "nftables" => (true, NatBackendPreference.Nftables),
            "iptables" => (true, NatBackendPreference.Iptables),
            _ => (false, NatBackendPreference.Auto),
        };
        return ok;
    }

    public static string Format(NatBackendPreference preference) => preference switch
    {
        NatBackendPreference.Nftables => "nftables",
        NatBackendPreference.Iptables => "iptables",
        _ => "auto",
    };
}
