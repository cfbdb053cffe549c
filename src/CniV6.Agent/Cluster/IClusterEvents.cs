namespace CniV6.Agent.Cluster;

/// <summary>
/// Where the agent reports trouble with cluster data to the cluster's operators: Kubernetes Events on the Node
/// concerned (<see cref="Kubernetes.KubernetesEventRecorder"/>), nothing without Kubernetes (the log has it).
/// Never blocks and never throws: reporting must not stop a sync.
/// </summary>
internal interface IClusterEvents
{
    /// <summary>A Warning about Node <paramref name="nodeName"/>; <paramref name="reason"/> is a CamelCase machine word.</summary>
    void Warning(string nodeName, string reason, string message);
}
