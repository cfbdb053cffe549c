namespace CniV6.Agent.Dataplane;

/// <summary>Forwarding sysctls for the families in use (with accept_ra 1→2 before IPv6 forwarding).</summary>
internal interface IForwardingControl
{
    /// <summary>Returns the sysctl keys that had to be changed (empty when everything was already set).</summary>
    IReadOnlyList<string> Enable(bool ipv6, bool ipv4);
}
