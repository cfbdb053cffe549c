namespace CniV6.Core.Forwarding;

/// <summary>
/// The node forwarding pod traffic, per address family. <see cref="ForwardingSysctls"/> is the implementation; the
/// seam lets the plugin's recipes be tested without touching /proc/sys.
/// </summary>
public interface IPacketForwarding
{
    /// <summary>Makes sure forwarding is on for the requested families; returns the settings it had to change.</summary>
    IReadOnlyList<string> EnsureEnabled(bool ipv6, bool ipv4);
}
