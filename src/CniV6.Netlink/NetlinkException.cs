using System.Runtime.InteropServices;

namespace CniV6.Netlink;

/// <summary>The kernel refused a netlink request: its errno and, when it gave one, its extended-ack text.</summary>
public sealed class NetlinkException : Exception
{
    public NetlinkException(string operation, int errno, string? extendedAck)
        : base(FormatMessage(operation, errno, extendedAck))
    {
        Operation = operation;
        Errno = errno;
        ExtendedAck = extendedAck;
    }

    /// <summary>What was asked of the kernel, e.g. <c>RTM_NEWLINK veth cv6ab12 / eth0</c>.</summary>
    public string Operation { get; }

    /// <summary>The positive errno (17 = EEXIST, 19 = ENODEV, 3 = ESRCH, …).</summary>
    public int Errno { get; }

    /// <summary>The kernel's NLMSGERR_ATTR_MSG explanation, if it sent one.</summary>
    public string? ExtendedAck { get; }

    private static string FormatMessage(string operation, int errno, string? extendedAck)
    {
        string text = $"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
        return string.IsNullOrEmpty(extendedAck) ? text : $"{text}: {extendedAck}";
    }
}
