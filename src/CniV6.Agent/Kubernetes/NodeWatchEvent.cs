using k8s.Models;

namespace CniV6.Agent.Kubernetes;

/// <summary>One line of a Node watch stream: ADDED/MODIFIED/DELETED/BOOKMARK carry a Node, ERROR a Status.</summary>
internal sealed record NodeWatchEvent(string Type, V1Node? Node, V1Status? Status)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";
    public const string Error = "ERROR";

    /// <summary>The apiserver no longer has the requested resourceVersion: the cache must be rebuilt by a new list.</summary>
    public bool IsGone => Type == Error && Status?.Code == 410;
}
