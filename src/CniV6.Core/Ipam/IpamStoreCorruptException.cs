namespace CniV6.Core.Ipam;

/// <summary>
/// The on-disk store cannot be trusted: unreadable, truncated, inconsistent or unsafe (a symbolic link,
/// not a regular file). The store is never reset silently, because that would hand out addresses
/// that running pods still use.
/// </summary>
public sealed class IpamStoreCorruptException : Exception
{
    public IpamStoreCorruptException(string path, string reason, Exception? innerException = null)
        : base($"IPAM store {path} is unusable: {reason}", innerException)
    {
        Path = path;
        Reason = reason;
    }

    public string Path { get; }

    public string Reason { get; }
}
