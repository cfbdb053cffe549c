using System.Net;

namespace CniV6.Agent.Kubernetes;

/// <summary>The apiserver answered with an error status (410 Gone means: list again).</summary>
internal sealed class KubernetesApiException(HttpStatusCode statusCode, string message) : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    public bool IsGone => StatusCode == HttpStatusCode.Gone;
}
