using System.Runtime.InteropServices;
using Tmds.Linux;

namespace CniV6.Linux;

/// <summary>Owns a Linux file descriptor and closes it exactly once.</summary>
public sealed class SafeFd : SafeHandle
{
    /// <summary>Required by interop marshalling; creates an invalid handle.</summary>
    public SafeFd()
        : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    internal SafeFd(int fd)
        : base(new IntPtr(-1), ownsHandle: true)
    {
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>
    /// Keeps the descriptor alive (not closed, not reused) for the lifetime of the returned lease,
    /// so a raw fd number can be passed to libc calls that take an int.
    /// </summary>
    internal FdLease Lease() => new(this);

    protected override bool ReleaseHandle() => LibC.close(handle.ToInt32()) == 0;

    internal readonly ref struct FdLease
    {
        private readonly SafeFd _owner;

        internal FdLease(SafeFd owner)
        {
            ObjectDisposedException.ThrowIf(owner.IsClosed, owner);
            bool added = false;
            owner.DangerousAddRef(ref added);
            _owner = owner;
            Fd = owner.DangerousGetHandle().ToInt32();
        }

        internal int Fd { get; }

        public void Dispose() => _owner.DangerousRelease();
    }
}
