namespace CniV6.Agent.Kubernetes;

/// <summary>
/// Data from the apiserver the agent will not use: a watch event that does not parse or lacks what every event has,
/// or a watch line or list response over its size bound. The informer's answer is always a fresh list (after
/// back-off), never a retry of the same watch, which would replay the same event forever.
/// </summary>
internal sealed class KubernetesDataException(string message, Exception? innerException = null) : Exception(message, innerException);
