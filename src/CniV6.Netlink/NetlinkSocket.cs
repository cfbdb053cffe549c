using CniV6.Linux;
using CniV6.Netlink.Kernel;
using Tmds.Linux;

namespace CniV6.Netlink;

/// <summary>
/// An AF_NETLINK socket. Like every socket it belongs to the network namespace of the thread that created it,
/// whatever thread uses it later.
/// </summary>
internal sealed class NetlinkSocket : INetlinkTransport
{
    /// <summary>
    /// The kernel answers rtnetlink requests while processing them, so a reply that has not come within this time
    /// never will (e.g. a reply we failed to recognise as ours); failing beats hanging the container runtime.
    /// </summary>
    internal static readonly TimeSpan DefaultReplyTimeout = TimeSpan.FromSeconds(10);

    private readonly SafeFd _fd;
    private readonly TimeSpan _replyTimeout;

    private NetlinkSocket(SafeFd fd, uint portId, TimeSpan replyTimeout)
    {
        _fd = fd;
        PortId = portId;
        _replyTimeout = replyTimeout;
    }

    public uint PortId { get; }

    internal static NetlinkSocket Open(int protocol) => Open(protocol, DefaultReplyTimeout);

    internal static unsafe NetlinkSocket Open(int protocol, TimeSpan replyTimeout)
    {
        int raw = LibC.socket(NetlinkHeaders.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (raw < 0)
        {
            throw LinuxException.FromLastError("socket(AF_NETLINK)");
        }

        var fd = new SafeFd(raw);
        try
        {
            // Ask for the kernel's explanation text with errors, and for errors that do not echo our whole request.
            // Both exist since Linux 4.12 / 4.3; without them errors simply carry less, so failures are ignored.
            TrySetOption(raw, NetlinkHeaders.NETLINK_EXT_ACK, 1);
            TrySetOption(raw, NetlinkHeaders.NETLINK_CAP_ACK, 1);

            var timeout = new Timeval
            {
                tv_sec = (nint)(replyTimeout.Ticks / TimeSpan.TicksPerSecond),
                tv_usec = (nint)(replyTimeout.Ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond),
            };
            if (LibC.setsockopt(raw, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, &timeout, sizeof(Timeval)) != 0)
            {
                throw LinuxException.FromLastError("setsockopt(SO_RCVTIMEO)");
            }

            var local = new SockaddrNl { nl_family = NetlinkHeaders.AF_NETLINK };
            if (LibC.bind(raw, (sockaddr*)&local, sizeof(SockaddrNl)) != 0)
            {
                throw LinuxException.FromLastError("bind(AF_NETLINK)");
            }

            SockaddrNl bound;
            socklen_t length = sizeof(SockaddrNl);
            if (LibC.getsockname(raw, (sockaddr*)&bound, &length) != 0)
            {
                throw LinuxException.FromLastError("getsockname(AF_NETLINK)");
            }

            return new NetlinkSocket(fd, bound.nl_pid, replyTimeout);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    public unsafe void Send(ReadOnlySpan<byte> message)
    {
        using var lease = _fd.Lease();
        var kernel = new SockaddrNl { nl_family = NetlinkHeaders.AF_NETLINK };
        fixed (byte* p = message)
        {
            while (true)
            {
                long sent = LibC.sendto(lease.Fd, p, message.Length, 0, (sockaddr*)&kernel, sizeof(SockaddrNl));
                if (sent >= 0)
                {
                    return;
                }

                int errno = LibC.errno;
                if (errno != Errno.EINTR)
                {
                    throw new LinuxException("sendto(AF_NETLINK)", errno);
                }
            }
        }
    }

    public unsafe int Receive(Span<byte> buffer)
    {
        using var lease = _fd.Lease();
        fixed (byte* p = buffer)
        {
            while (true)
            {
                SockaddrNl from;
                socklen_t fromLength = sizeof(SockaddrNl);

                // MSG_TRUNC makes recvfrom return the datagram's real length, so a cut-off reply is detected.
                long received = LibC.recvfrom(lease.Fd, p, buffer.Length, LibC.MSG_TRUNC, (sockaddr*)&from, &fromLength);
                if (received < 0)
                {
                    int errno = LibC.errno;
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }

                    if (errno == Errno.EAGAIN)
                    {
                        throw new TimeoutException($"no netlink reply within {_replyTimeout.TotalSeconds} s");
                    }

                    throw new LinuxException("recvfrom(AF_NETLINK)", errno);
                }

                if (from.nl_pid != 0)
                {
                    // Only the kernel answers requests; anything else is not for us.
                    continue;
                }

                if (received > buffer.Length)
                {
                    throw new NetlinkDecodeException($"netlink datagram of {received} bytes exceeds the {buffer.Length}-byte receive buffer");
                }

                return (int)received;
            }
        }
    }

    public void Dispose() => _fd.Dispose();

    private static unsafe void TrySetOption(int fd, int option, int value)
        => _ = LibC.setsockopt(fd, NetlinkHeaders.SOL_NETLINK, option, &value, sizeof(int));
}
