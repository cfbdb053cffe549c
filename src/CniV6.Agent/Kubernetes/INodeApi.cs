using k8s.Models;

namespace CniV6.Agent.Kubernetes;

/// <summary>The two calls the Node informer makes; a seam so the list/watch/re-list logic is tested without HTTP.</summary>
internal interface INodeApi
{
    Task<V1NodeList> ListAsync(CancellationToken cancellationToken);

    /// <summary>Streams events after <paramref name="resourceVersion"/> until the server ends the watch.</summary>
    IAsyncEnumerable<NodeWatchEvent> WatchAsync(string resourceVersion, TimeSpan serverTimeout, CancellationToken cancellationToken);
}
