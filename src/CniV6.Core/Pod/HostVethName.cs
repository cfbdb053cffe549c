using CniV6.Core.Hashing;

namespace CniV6.Core.Pod;

/// <summary>
/// The node-side veth name of a pod attachment. Derived from the attachment alone, so DEL, CHECK and GC
/// find it without any stored state, and a retried ADD finds the veth its earlier attempt left behind.
/// </summary>
public static class HostVethName
{
    /// <summary>Every cniv6 host veth starts with this, so our interfaces are told apart from anyone else's.</summary>
    public const string Prefix = "cv6";

    private const int HashChars = 11; // "cv6" + 11 = 14 characters, inside IFNAMSIZ-1 = 15.

    public static string For(string containerId, string ifName)
    {
        return Prefix + Sha256.HexOf(containerId + "/" + ifName)[..HashChars];
    }
}
