using System.Net;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

internal sealed partial class ConflistController
{
    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Wrote {Path} (pools {Pools}, chained: {Chained})")]
    private partial void LogConflistWritten(string path, IReadOnlyList<IPNetwork> pools, string chained);

    [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "portmap is left out of the conflist: {BinDir} has no executable portmap, and a conflist naming a missing plugin fails every pod's ADD and DEL. hostPort mappings do not work until it is installed (containernetworking-plugins, or Cni:ReferencePluginDirs naming a directory that has it); Cni:Portmap=false silences this")]
    private partial void LogPortmapLeftOut(string binDir);
}
