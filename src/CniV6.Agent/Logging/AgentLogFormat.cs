namespace CniV6.Agent.Logging;

/// <summary>How the agent writes its log lines (<c>Logging:Format</c>).</summary>
internal enum AgentLogFormat
{
    /// <summary>One human-readable line per event (systemd's format when run by systemd).</summary>
    Text,

    /// <summary>One JSON object per line (Microsoft.Extensions.Logging.Console's JSON formatter).</summary>
    Json,
}
