namespace CniV6.Agent.Dataplane;

/// <summary>A controller failed; the sync stops there and is retried with back-off.</summary>
internal sealed class DataplaneSyncException(string controller, Exception inner)
    : Exception($"{controller}: {inner.Message}", inner)
{
    public string Controller { get; } = controller;
}
