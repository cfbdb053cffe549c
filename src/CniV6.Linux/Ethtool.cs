using System.Text;
using CniV6.Linux.Interop;
using Tmds.Linux;

namespace CniV6.Linux;

/// <summary>
/// The one ethtool setting CniV6 needs, over the SIOCETHTOOL ioctl (the netlink ethtool family is not worth a
/// second codec for it). Acts on the network namespace of the calling thread.
/// </summary>
public static class Ethtool
{
    // linux/sockios.h, linux/ethtool.h.
    private const nuint SIOCETHTOOL = 0x8946;
    private const uint ETHTOOL_GTXCSUM = 0x16;
    private const uint ETHTOOL_STXCSUM = 0x17;

    /// <summary>sizeof(struct ifreq) on 64-bit Linux: char ifr_name[IFNAMSIZ] and a 24-byte union (ifr_data first).</summary>
    internal const int IfreqSize = 40;

    private const int IFNAMSIZ = 16;

    /// <summary>Whether the device computes transmit checksums itself (ETHTOOL_GTXCSUM).</summary>
    public static bool GetTxChecksumOffload(string device) => Request(device, ETHTOOL_GTXCSUM, 0) != 0;

    /// <summary>Turns the device's transmit checksum offload on or off (ETHTOOL_STXCSUM, like <c>ethtool -K dev tx off</c>).</summary>
    public static void SetTxChecksumOffload(string device, bool enabled) => Request(device, ETHTOOL_STXCSUM, enabled ? 1u : 0u);

    /// <summary>Sends struct ethtool_value { u32 cmd; u32 data; } for <paramref name="device"/>; returns data as the kernel left it.</summary>
    private static unsafe uint Request(string device, uint command, uint data)
    {
        ArgumentException.ThrowIfNullOrEmpty(device);
        if (Encoding.UTF8.GetByteCount(device) >= IFNAMSIZ)
        {
            throw new ArgumentException($"'{device}' is longer than an interface name can be", nameof(device));
        }

        using SafeFd socket = OpenControlSocket();
        uint* value = stackalloc uint[2];
        value[0] = command;
        value[1] = data;
        byte* ifreq = stackalloc byte[IfreqSize];
        new Span<byte>(ifreq, IfreqSize).Clear();
        Encoding.UTF8.GetBytes(device, new Span<byte>(ifreq, IFNAMSIZ - 1));
        *(void**)(ifreq + IFNAMSIZ) = value;
        if (NativeMethods.Ioctl(socket, SIOCETHTOOL, ifreq) != 0)
        {
            throw LinuxException.FromLastError("ioctl(SIOCETHTOOL)", $"{device} cmd 0x{command:x}");
        }

        return value[1];
    }

    /// <summary>Any socket reaches the device ioctls; like ethtool(8), take an IPv4 one and fall back to AF_UNIX where IPv4 is compiled out.</summary>
    private static SafeFd OpenControlSocket()
    {
        int fd = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        }

        return fd >= 0 ? new SafeFd(fd) : throw LinuxException.FromLastError("socket", "for SIOCETHTOOL");
    }
}
