namespace CniV6.Linux;

/// <summary>
/// How <see cref="PosixFile"/> opens a path. O_CLOEXEC and O_NOCTTY are always set, and O_NOFOLLOW is set unless
/// <see cref="FollowSymlinks"/> is given: root writing through a symlink a local user planted is the classic
/// privilege escalation, so following one must be asked for.
/// </summary>
[Flags]
public enum PosixOpenFlags
{
    ReadOnly = 0,
    WriteOnly = 1 << 0,
    ReadWrite = 1 << 1,

    /// <summary>O_CREAT; the file gets exactly the mode asked for, whatever the process umask.</summary>
    Create = 1 << 2,

    /// <summary>O_EXCL: with <see cref="Create"/>, fail with EEXIST when the path exists.</summary>
    Exclusive = 1 << 3,
    Truncate = 1 << 4,
    Append = 1 << 5,
    Directory = 1 << 6,

    /// <summary>O_NONBLOCK: opening a FIFO does not wait for its other end.</summary>
    NonBlocking = 1 << 7,

    /// <summary>Leave O_NOFOLLOW out (e.g. for <c>/proc/PID/ns/net</c>, which is a symlink by design).</summary>
    FollowSymlinks = 1 << 8,
}
