namespace CniV6.Core.Ipam;

/// <summary>
/// The Kubernetes pod an attachment belongs to, as the runtime names it in CNI_ARGS (<c>K8S_POD_NAMESPACE</c>,
/// <c>K8S_POD_NAME</c>). Recorded with the allocation only so that a person reading <c>cniv6 ipam list</c> sees which
/// pod holds an address; nothing in the plugin depends on it. Both names follow Kubernetes' own rules (a namespace is
/// an RFC 1123 label, a pod name an RFC 1123 subdomain), so the store never holds text a terminal would interpret.
/// </summary>
public sealed record PodReference(string Namespace, string Name)
{
    public const string NamespaceArgument = "K8S_POD_NAMESPACE";
    public const string NameArgument = "K8S_POD_NAME";

    private const int MaxLabelLength = 63;
    private const int MaxSubdomainLength = 253;

    /// <summary>The pod named by CNI_ARGS, or null when either name is absent or not a valid Kubernetes name.</summary>
    public static PodReference? FromCniArgs(IEnumerable<KeyValuePair<string, string>> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? podNamespace = null;
        string? podName = null;
        foreach ((string key, string value) in args)
        {
            if (key == NamespaceArgument)
            {
                podNamespace = value;
            }
            else if (key == NameArgument)
            {
                podName = value;
            }
        }

        return IsValid(podNamespace, podName) ? new PodReference(podNamespace!, podName!) : null;
    }

    /// <summary>True when <paramref name="podNamespace"/> is an RFC 1123 label and <paramref name="podName"/> an RFC 1123 subdomain.</summary>
    public static bool IsValid(string? podNamespace, string? podName) =>
        IsLabel(podNamespace, MaxLabelLength) && IsSubdomain(podName);

    public override string ToString() => $"{Namespace}/{Name}";

    private static bool IsSubdomain(string? value) =>
        value is { Length: > 0 and <= MaxSubdomainLength } && value.Split('.').All(label => IsLabel(label, MaxLabelLength));

    private static bool IsLabel(string? value, int maxLength)
    {
        if (value is not { Length: > 0 } || value.Length > maxLength || value[0] == '-' || value[^1] == '-')
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
