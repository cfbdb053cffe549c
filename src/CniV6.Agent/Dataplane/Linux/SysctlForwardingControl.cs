using CniV6.Core.Forwarding;

namespace CniV6.Agent.Dataplane.Linux;

/// <summary>Forwarding through CniV6.Core's <see cref="ForwardingSysctls"/>, which moves accept_ra 1→2 first.</summary>
internal sealed class SysctlForwardingControl : IForwardingControl
{
    private readonly ForwardingSysctls _sysctls = new();

    public IReadOnlyList<string> Enable(bool ipv6, bool ipv4) => _sysctls.Enable(ipv6, ipv4);
}
