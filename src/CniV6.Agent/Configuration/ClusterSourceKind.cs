namespace CniV6.Agent.Configuration;

/// <summary>Where the agent learns pools and peers from.</summary>
internal enum ClusterSourceKind
{
    /// <summary>The Kubernetes API: own Node's spec.podCIDRs, all Nodes for routes.</summary>
    Kubernetes,

    /// <summary>The configuration file's <c>Static</c> section (hosts run by systemd without Kubernetes).</summary>
    Static,
}
