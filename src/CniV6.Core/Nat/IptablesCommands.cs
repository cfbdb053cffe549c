using System.Net.Sockets;

namespace CniV6.Core.Nat;

/// <summary>The explicit program names of one backend and family (never the <c>iptables</c> alternative itself).</summary>
internal sealed record IptablesCommands(IptablesVariant Variant, AddressFamily Family)
{
    private string Base => Family == AddressFamily.InterNetworkV6 ? "ip6tables" : "iptables";

    private string Suffix => Variant == IptablesVariant.Nft ? "-nft" : "-legacy";

    public string Save => $"{Base}{Suffix}-save";

    public string Restore => $"{Base}{Suffix}-restore";

    /// <summary>How messages name the family: "ip6tables" or "iptables".</summary>
    public string FamilyTool => Base;
}
