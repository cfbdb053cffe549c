namespace CniV6.Agent.Dataplane;

/// <summary>Forwarding sysctls for the families in use (with accept_ra 1→2 before IPv6 forwarding).</summary>
internal interface IForwardingControl
{
    void Enable(bool ipv6, bool ipv4);
}
