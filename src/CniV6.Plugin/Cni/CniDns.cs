namespace CniV6.Plugin.Cni;

/// <summary>A result's <c>"dns"</c>; left out of the output when empty.</summary>
internal sealed record CniDns(
    IReadOnlyList<string> Nameservers,
    string? Domain,
    IReadOnlyList<string> Search,
    IReadOnlyList<string> Options)
{
    public static CniDns Empty { get; } = new([], null, [], []);

    public bool IsEmpty => Nameservers.Count == 0 && string.IsNullOrEmpty(Domain) && Search.Count == 0 && Options.Count == 0;
}
