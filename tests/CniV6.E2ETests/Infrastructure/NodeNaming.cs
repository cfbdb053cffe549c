using System.Security.Cryptography;
using System.Text;

namespace CniV6.E2ETests.Infrastructure;

/// <summary>The names the plugin gives node-side state (docs/DESIGN.md), recomputed independently.</summary>
internal static class NodeNaming
{
    /// <summary>Host veth: <c>cv6</c> + first 11 hex chars of SHA-256(containerId/ifName).</summary>
    public static string HostVeth(string containerId, string ifName) =>
        "cv6" + Sha256Hex(containerId + "/" + ifName)[..11];

    /// <summary>MASQUERADE chain: <c>CNIV6-MASQ-</c> + 8 hex chars of SHA-256(network name).</summary>
    public static string MasqueradeChain(string networkName) =>
        "CNIV6-MASQ-" + Sha256Hex(networkName)[..8];

    private static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
