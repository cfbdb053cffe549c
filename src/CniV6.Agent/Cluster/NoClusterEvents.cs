namespace CniV6.Agent.Cluster;

/// <summary>Without Kubernetes there is nobody to send Events to; the warnings are in the agent's log.</summary>
internal sealed class NoClusterEvents : IClusterEvents
{
    public void Warning(string nodeName, string reason, string message)
    {
    }
}
