namespace CniV6.Agent.Configuration;

/// <summary>The configuration (file, environment or flags) is missing something or has a malformed value.</summary>
internal sealed class AgentConfigurationException(string message) : Exception(message);
