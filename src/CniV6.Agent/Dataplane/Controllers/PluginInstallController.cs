using CniV6.Agent.Configuration;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

/// <summary>
/// Puts the <c>cniv6</c> binary the agent ships with into the CNI bin dir. Once per process: the source does not
/// change while the agent runs, and a new agent version (a new image) starts a new process.
/// </summary>
internal sealed partial class PluginInstallController(AgentOptions options, ILogger<PluginInstallController> logger) : IDataplaneController
{
    private bool _done;

    public string Name => "plugin";

    public void Reconcile(SyncContext sync)
    {
        if (_done || options.PluginSource is null)
        {
            return;
        }

        if (!File.Exists(options.PluginSource))
        {
            LogPluginSourceMissing(options.PluginSource);
        }
        else if (PluginInstaller.Install(options.PluginSource, options.CniBinDir))
        {
            LogPluginInstalled(options.CniBinDir);
        }

        _done = true;
    }
}
