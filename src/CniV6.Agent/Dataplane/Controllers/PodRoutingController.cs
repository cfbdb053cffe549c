using CniV6.Agent.Dataplane.Routing;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

/// <summary>
/// Pod routing through the active <see cref="IRoutingMode"/>. On its first pass it compares the active mode with
/// the one recorded as installed: after a mode change the old mode's state is removed first (so nothing of it is
/// left behind and nothing of anyone else's is touched), then the record names the active mode.
/// </summary>
internal sealed partial class PodRoutingController(
    IRoutingMode mode,
    Func<string, IRoutingMode?> createMode,
    RoutingModeRecord record,
    ILogger<PodRoutingController> logger) : IDataplaneController
{
    private bool _recorded;

    public string Name => "routing";

    public void Reconcile(SyncContext sync)
    {
        if (!_recorded)
        {
            RemovePreviousMode();
        }

        mode.Reconcile(sync);
    }

    private void RemovePreviousMode()
    {
        var previous = record.Read();
        if (previous is not null && previous != mode.Name)
        {
            if (createMode(previous) is { } old)
            {
                LogModeChanged(previous, mode.Name);
                old.Remove();
            }
            else
            {
                // A mode this version does not know (a downgrade): nothing to remove it with; leave it and say so.
                LogUnknownPreviousMode(previous, record.Path);
            }
        }

        record.Write(mode.Name);
        _recorded = true;
    }
}
