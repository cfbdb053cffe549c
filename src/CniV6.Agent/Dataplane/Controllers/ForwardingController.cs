using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

/// <summary>Forwarding sysctls for the families this node's pools use (before any pod can need them).</summary>
internal sealed partial class ForwardingController(IForwardingControl forwarding, ILogger<ForwardingController> logger) : IDataplaneController
{
    public string Name => "forwarding";

    public void Reconcile(SyncContext sync)
    {
        foreach (var key in forwarding.Enable(sync.State.UsesIPv6, sync.State.UsesIPv4))
        {
            LogSysctlChanged(key);
        }
    }
}
