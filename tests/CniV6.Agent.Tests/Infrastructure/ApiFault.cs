namespace CniV6.Agent.Tests.Infrastructure;

/// <summary>How the fake apiserver misbehaves, to prove the agent rides out apiserver outages.</summary>
public enum ApiFault
{
    /// <summary>Serves requests normally.</summary>
    None,

    /// <summary>Answers every request with 500 Internal Server Error (an apiserver whose etcd is down).</summary>
    InternalError,

    /// <summary>Resets every connection without an answer (an apiserver restarting behind a load balancer).</summary>
    Disconnect,
}
