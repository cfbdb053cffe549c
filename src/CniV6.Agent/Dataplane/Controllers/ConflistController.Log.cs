using System.Net;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Controllers;

internal sealed partial class ConflistController
{
    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Wrote {Path} (pools {Pools})")]
    private partial void LogConflistWritten(string path, IReadOnlyList<IPNetwork> pools);
}
