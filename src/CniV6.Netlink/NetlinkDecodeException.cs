namespace CniV6.Netlink;

/// <summary>A netlink message or attribute from the kernel did not have the shape its header claimed.</summary>
public sealed class NetlinkDecodeException : Exception
{
    public NetlinkDecodeException(string message)
        : base(message)
    {
    }

    internal static void ThrowIfShorter(ReadOnlySpan<byte> source, int needed, string what)
    {
        if (source.Length < needed)
        {
            throw new NetlinkDecodeException($"{what} needs {needed} bytes, got {source.Length}");
        }
    }
}
