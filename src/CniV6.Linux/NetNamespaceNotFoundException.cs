namespace CniV6.Linux;

/// <summary>The network namespace path does not exist (the container is gone or was never there).</summary>
public sealed class NetNamespaceNotFoundException : Exception
{
    public NetNamespaceNotFoundException(string path)
        : base($"network namespace {path} does not exist")
    {
        Path = path;
    }

    public string Path { get; }
}
