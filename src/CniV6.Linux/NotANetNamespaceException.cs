namespace CniV6.Linux;

/// <summary>The path exists but is not a network namespace file (nsfs of type CLONE_NEWNET).</summary>
public sealed class NotANetNamespaceException : Exception
{
    public NotANetNamespaceException(string path)
        : base($"{path} is not a network namespace")
    {
        Path = path;
    }

    public string Path { get; }
}
