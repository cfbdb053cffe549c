using CniV6.Agent.Configuration;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

/// <summary>
/// Puts the <c>cniv6</c> binary the agent ships with into the CNI bin dir, and the reference plugins the node needs
/// (<see cref="ReferencePlugins"/>) when the bin dir has none. cniv6 once per process: the source does not change
/// while the agent runs, and a new agent version (a new image) starts a new process. The reference plugins on every
/// pass: a stat each, and a plugin someone removed comes back before the conflist names it again.
/// </summary>
internal sealed partial class PluginInstallController(AgentOptions options, ILogger<PluginInstallController> logger) : IDataplaneController
{
    private readonly InstalledPluginsRecord _record = InstalledPluginsRecord.For(options);
    private readonly HashSet<string> _reportedUnavailable = new(StringComparer.Ordinal);
    private bool _pluginDone;

    public string Name => "plugin";

    public void Reconcile(SyncContext sync)
    {
        if (!_pluginDone)
        {
            InstallPlugin();
            _pluginDone = true;
        }

        foreach (var name in ReferencePlugins.Needed(options))
        {
            ProvideReferencePlugin(name);
        }
    }

    private void InstallPlugin()
    {
        if (options.PluginSource is null)
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
    }

    private void ProvideReferencePlugin(string name)
    {
        if (ReferencePlugins.IsPresent(options.CniBinDir, name))
        {
            _reportedUnavailable.Remove(name);
            return;
        }

        if (ReferencePlugins.FindSource(options, name) is not { } source)
        {
            if (_reportedUnavailable.Add(name))
            {
                LogReferencePluginUnavailable(name, options.CniBinDir, options.ReferencePluginDirs.Count == 0 ? "(none configured)" : string.Join(", ", options.ReferencePluginDirs));
            }

            return;
        }

        // Recorded first: a crash between the two leaves a record naming a plugin that is not there (uninstall
        // skips it), never an installed copy that uninstall would not know to be ours.
        _record.Add(name);
        ReferencePlugins.Install(source, options.CniBinDir, name);
        _reportedUnavailable.Remove(name);
        LogReferencePluginInstalled(name, source, options.CniBinDir);
    }
}
