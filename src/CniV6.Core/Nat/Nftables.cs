using System.Runtime.InteropServices;
using System.Text;

namespace CniV6.Core.Nat;

/// <summary>
/// Runs nft scripts in-process through libnftables, with the <c>nft -f</c> semantics (a script is one transaction:
/// all of it or nothing) and without starting a process. One context per instance, opened in the network namespace of
/// the constructing thread (libnftables binds its netlink socket there), used from one thread at a time.
/// </summary>
public sealed class Nftables : IDisposable
{
    private IntPtr _context;

    private Nftables(IntPtr context) => _context = context;

    /// <summary>True when libnftables can be loaded on this node (probed once per process).</summary>
    public static bool IsAvailable => LibNftables.IsAvailable();

    /// <summary>
    /// A context in the calling thread's network namespace. <paramref name="stateless"/> makes listings leave out
    /// counter values and print chain priorities as numbers, so two listings of unchanged rules are equal whatever
    /// the traffic and the nft version.
    /// </summary>
    /// <exception cref="NftablesException">libnftables is not installed or cannot create a context.</exception>
    public static Nftables Open(bool stateless = true)
    {
        if (!IsAvailable)
        {
            throw new NftablesException("context", $"{LibNftables.Library} is not installed (Debian/Ubuntu: libnftables1; Fedora/RHEL: nftables)");
        }

        IntPtr context = LibNftables.NftCtxNew(LibNftables.NFT_CTX_DEFAULT);
        if (context == IntPtr.Zero)
        {
            throw new NftablesException("context", "nft_ctx_new returned no context");
        }

        // Both buffered: nothing of nft's ever reaches our stdout (the plugin's stdout is the CNI result).
        if (LibNftables.NftCtxBufferOutput(context) != 0 || LibNftables.NftCtxBufferError(context) != 0)
        {
            LibNftables.NftCtxFree(context);
            throw new NftablesException("context", "could not buffer nft's output");
        }

        if (stateless)
        {
            LibNftables.NftCtxOutputSetFlags(context, LibNftables.NFT_CTX_OUTPUT_STATELESS | LibNftables.NFT_CTX_OUTPUT_NUMERIC_PRIO);
        }

        return new Nftables(context);
    }

    /// <summary>Runs <paramref name="script"/>; the result has what nft printed (listings) or its error text.</summary>
    public NftablesResult Run(string script)
    {
        ObjectDisposedException.ThrowIf(_context == IntPtr.Zero, this);
        int length = Encoding.UTF8.GetByteCount(script);
        byte[] buffer = new byte[length + 1];
        Encoding.UTF8.GetBytes(script, buffer);
        int status;
        unsafe
        {
            fixed (byte* text = buffer)
            {
                status = LibNftables.NftRunCmdFromBuffer(_context, text);
            }
        }

        // The buffers are reset by every run; copy them before the next one.
        string output = Marshal.PtrToStringUTF8(LibNftables.NftCtxGetOutputBuffer(_context)) ?? "";
        string error = Marshal.PtrToStringUTF8(LibNftables.NftCtxGetErrorBuffer(_context)) ?? "";
        return new NftablesResult(status == 0, output, error);
    }

    /// <summary>Runs <paramref name="script"/> and returns its output.</summary>
    /// <exception cref="NftablesException">nft refused the script; nothing of it was applied.</exception>
    public string RunChecked(string script, string what)
    {
        NftablesResult result = Run(script);
        return result.Succeeded ? result.Output : throw new NftablesException(what, result.Error);
    }

    public void Dispose()
    {
        if (_context != IntPtr.Zero)
        {
            LibNftables.NftCtxFree(_context);
            _context = IntPtr.Zero;
        }
    }
}

/// <summary>What one <see cref="Nftables.Run"/> did: success, what nft printed, and its error text.</summary>
public readonly record struct NftablesResult(bool Succeeded, string Output, string Error)
{
    /// <summary>nft's answer when a listed table or chain does not exist.</summary>
    public bool IsMissing => !Succeeded && Error.Contains("No such file or directory", StringComparison.Ordinal);
}
